// The alert list: virtualised rows of fixed height, so a million stored alerts and a flood of live
// ones cost the same to draw. Keyboard: ↑/↓ (or j/k), PageUp/PageDown, Home/End move; Enter opens.
import type { Alert } from '@portcullis/shared';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { LevelBadge } from '@/components/ui/badges';
import { formatNumber, formatWhenCached } from '@/lib/format';

const ROW_H = 36;
export const ALERT_COLUMNS = '92px 46px 62px minmax(0, 1fr) 130px 100px 120px';

export type ListRow = { kind: 'alert'; alert: Alert } | { kind: 'gap'; missed: number };

/** The rows by index, without materialising the list (the live head and the pages are joined lazily). */
export interface RowSource {
  count: number;
  get(i: number): ListRow | undefined;
  /** The row's key without building the row (called for every index when the list changes). */
  keyAt(i: number): number | string;
}

export function AlertsHeader() {
  return (
    <div className="vhead" style={{ gridTemplateColumns: ALERT_COLUMNS }} aria-hidden="true">
      <div>Time</div>
      <div>Level</div>
      <div>Rule</div>
      <div>Description</div>
      <div>Source IP</div>
      <div>User</div>
      <div>Host</div>
    </div>
  );
}

export function AlertsList({ rows, selectedId, freshFrom, onOpen, onEndReached, onGapClick, footer }: {
  rows: RowSource;
  selectedId: number | null;
  freshFrom: number;
  onOpen: (a: Alert) => void;
  onEndReached: () => void;
  onGapClick: () => void;
  footer: ReactNode;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const v = useVirtualizer({
    count: rows.count + 1,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_H,
    overscan: 16,
    getItemKey: (i) => (i < rows.count ? rows.keyAt(i) : 'footer'),
  });

  // New live rows above a scrolled view: move the view down by as much, so what you read stays put.
  const firstId = useRef<number | null>(null);
  useLayoutEffect(() => {
    const r0 = rows.get(0);
    const first = r0?.kind === 'alert' ? r0.alert.id : null;
    const prev = firstId.current;
    firstId.current = first;
    if (prev === null || first === null || first === prev) return;
    let growth = -1;
    for (let i = 1; i < rows.count; i++) {
      const r = rows.get(i);
      if (r?.kind === 'alert' && r.alert.id <= prev) {
        growth = r.alert.id === prev ? i : -1;
        break;
      }
    }
    if (growth <= 0) return;
    // The virtualizer's cached offset, not el.scrollTop: reading that would force a layout.
    const offset = v.scrollOffset ?? 0;
    if (offset > 0) v.scrollToOffset(offset + growth * ROW_H);
    setActive((a) => (a > 0 ? a + growth : a));
  }, [rows, v]);

  const items = v.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.count - 30) onEndReached();
  }, [last?.index, rows.count, onEndReached, last]);

  const move = (to: number) => {
    const i = Math.max(0, Math.min(rows.count - 1, to));
    setActive(i);
    v.scrollToIndex(i, { align: 'auto' });
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((parent.current?.clientHeight ?? 400) / ROW_H) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      j: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      k: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(rows.count - 1),
      Enter: () => {
        const r = rows.get(active);
        if (r?.kind === 'alert') onOpen(r.alert);
        else if (r?.kind === 'gap') onGapClick();
      },
    };
    const fn = keys[e.key];
    if (fn) {
      e.preventDefault();
      fn();
    }
  };
  const activeRow = rows.get(active);

  return (
    <div
      ref={parent}
      className="vlist"
      tabIndex={0}
      role="grid"
      aria-label="Alerts, newest first"
      aria-rowcount={rows.count}
      aria-activedescendant={activeRow?.kind === 'alert' ? `alert-row-${activeRow.alert.id}` : undefined}
      onKeyDown={onKey}
      data-testid="alerts-list"
    >
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {items.map((vi) => {
          const r = rows.get(vi.index);
          const style = { top: vi.start, gridTemplateColumns: ALERT_COLUMNS };
          if (!r)
            return (
              <div key="footer" className="vrow" role="row" style={{ ...style, cursor: 'default', display: 'flex', justifyContent: 'center', color: 'var(--muted)' }}>
                {footer}
              </div>
            );
          if (r.kind === 'gap')
            return (
              <div key={vi.key} className="vrow gap-row" role="row" style={{ top: vi.start }} onClick={onGapClick}>
                {formatNumber(r.missed)} more alerts arrived than the live view keeps. They are stored: <u>reload the list</u> to page through them.
              </div>
            );
          const a = r.alert;
          return (
            <div
              key={vi.key}
              id={`alert-row-${a.id}`}
              role="row"
              aria-selected={a.id === selectedId}
              data-active={vi.index === active || undefined}
              className={`vrow ${a.id >= freshFrom ? 'fresh' : ''}`}
              style={style}
              data-alert-id={a.id}
              data-rule-id={a.rule_id}
              data-level={a.level}
              onClick={() => {
                setActive(vi.index);
                onOpen(a);
              }}
            >
              <div className="num muted" title={a.time}>{formatWhenCached(a.time)}</div>
              <div><LevelBadge level={a.level} /></div>
              <div className="mono">{a.rule_id}</div>
              <div title={a.description}>{a.description}</div>
              <div className="mono">{a.srcip ?? <span className="muted">—</span>}</div>
              <div>{a.user ?? <span className="muted">—</span>}</div>
              {a.host ? (
                <div title={`sent by registered host ${a.host}${a.hostname && a.hostname !== a.host ? `; the line says ${a.hostname}` : ''}`} data-host={a.host}>
                  <b>{a.host}</b>{a.hostname && a.hostname !== a.host && <span className="muted"> · {a.hostname}</span>}
                </div>
              ) : (
                <div title={a.location}>{a.hostname ?? <span className="muted">{a.location}</span>}</div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
