// The Alerts page body: filters (in the URL), the live bar with pause and the count of what
// arrived while paused, the virtualised list (live head + fetched pages), and the detail drawer
// (`?alert=<id>`, so a link opens it).
import type { Alert } from '@portcullis/shared';
import { useCallback, useMemo, useState } from 'react';
import { useUrlParams } from '@/lib/url-state';
import { formatNumber } from '@/lib/format';
import { useLiveStatus } from '@/lib/socket';
import { Button } from '@/components/ui/button';
import { IconPause, IconPlay, IconRefresh } from '@/components/ui/icons';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { FILTER_KEYS, useAlertPages, type AlertFilters } from '../api/alerts';
import { useLiveAlerts, MAX_LIVE } from '../hooks/use-live-alerts';
import { AlertDrawer } from './alert-drawer';
import { AlertFiltersBar } from './alert-filters';
import { AlertsHeader, AlertsList, type RowSource } from './alerts-list';

const URL_KEYS = [...FILTER_KEYS, 'alert'] as const;

export function AlertsView() {
  const [params, setParams] = useUrlParams(URL_KEYS);
  const { alert: alertParam, ...rest } = params;
  const filtersKey = JSON.stringify(rest);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const filters = useMemo<AlertFilters>(() => rest, [filtersKey]);
  const selectedId = alertParam && /^\d+$/.test(alertParam) ? Number(alertParam) : null;
  const [paused, setPaused] = useState(false);
  const status = useLiveStatus();

  const pages = useAlertPages(filters);
  const { head, live, reset } = useLiveAlerts(filters, paused);

  // Fetched pages older than the live head (the head already holds the newer ones). Recomputed
  // when a page arrives, not with every live push.
  const oldestLive = head.items.length ? head.items[head.items.length - 1]!.id : Infinity;
  const tail = useMemo(() => {
    const out: Alert[] = [];
    for (const p of pages.data?.pages ?? []) for (const a of p.items) if (a.id < oldestLive) out.push(a);
    return out;
  }, [pages.data, oldestLive]);
  const rows = useMemo<RowSource>(() => {
    const h = head.items.length;
    const gap = head.missed > 0 ? 1 : 0;
    return {
      count: h + gap + tail.length,
      get: (i) => (i < h ? { kind: 'alert', alert: head.items[i]! } : i < h + gap ? { kind: 'gap', missed: head.missed } : i - h - gap < tail.length ? { kind: 'alert', alert: tail[i - h - gap]! } : undefined),
      keyAt: (i) => (i < h ? head.items[i]!.id : i < h + gap ? 'gap' : (tail[i - h - gap]?.id ?? `x${i}`)),
    };
  }, [head.items, head.missed, tail]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const onEndReached = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const reload = () => {
    reset();
    void pages.refetch();
  };
  const onFilter = (patch: AlertFilters | null) => setParams(patch === null ? { ...Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) } : patch, { replace: false });
  const open = (a: Alert) => setParams({ alert: String(a.id) });
  const close = () => setParams({ alert: '' });

  const loaded = rows.count;
  let body;
  if (pages.isPending) body = <Loading rows={12} label="Loading alerts…" />;
  else if (pages.error) body = <ErrorState error={pages.error} onRetry={reload} />;
  else if (rows.count === 0)
    body = (
      <Empty title={Object.keys(filters).length ? 'No alert matches these filters' : 'No alerts yet'}>
        {live ? 'New alerts appear here as they happen; this page does not need a reload.' : 'Try a wider time range.'}
      </Empty>
    );
  else
    body = (
      <>
        <AlertsHeader />
        <AlertsList
          rows={rows}
          selectedId={selectedId}
          freshFrom={head.freshFrom}
          onOpen={open}
          onEndReached={onEndReached}
          onGapClick={reload}
          footer={isFetchingNextPage ? 'Loading older alerts…' : hasNextPage ? 'Scroll for older alerts' : `End of list · ${formatNumber(loaded)} alerts`}
        />
      </>
    );

  return (
    <>
      <div className="card" style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0, overflow: 'hidden' }}>
        <AlertFiltersBar filters={filters} onChange={onFilter} />
        <div className="livebar">
          {!live ? (
            <>
              <span className="pulse off" aria-hidden="true" />
              <span>Live updates are off: this time range has ended.</span>
            </>
          ) : paused ? (
            <>
              <span className="pulse paused" aria-hidden="true" />
              <b data-testid="paused-count" aria-live="polite">{formatNumber(head.heldCount)}</b>
              <span>new {head.heldCount === 1 ? 'alert' : 'alerts'} while paused</span>
            </>
          ) : (
            <>
              <span className={`pulse ${status === 'connected' ? '' : 'off'}`} aria-hidden="true" />
              <span>{status === 'connected' ? 'Live: new alerts appear at the top' : status === 'connecting' ? 'Live feed connecting…' : 'Live feed reconnecting…'}</span>
            </>
          )}
          <span className="grow" />
          <span className="muted small num">
            {formatNumber(loaded)} shown{head.items.length >= MAX_LIVE ? ` · live view keeps the newest ${formatNumber(MAX_LIVE)}` : ''}
          </span>
          {live && (
            <Button size="sm" variant={paused ? 'primary' : 'default'} icon={paused ? <IconPlay /> : <IconPause />} onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
              {paused ? 'Resume' : 'Pause'}
            </Button>
          )}
          <Button size="sm" icon={<IconRefresh />} onClick={reload} aria-label="Reload the list" />
        </div>
        {body}
      </div>
      {selectedId !== null && <AlertDrawer id={selectedId} onClose={close} onFilter={(p) => setParams({ ...p, alert: '' })} />}
    </>
  );
}
