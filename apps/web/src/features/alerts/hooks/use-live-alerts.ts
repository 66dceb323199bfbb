// The live head of the Alerts list: socket.io batches written into the query cache under
// ['alerts', 'live', filters], in front of the fetched pages. While paused, arrivals are held
// (and counted); the head is capped so a flood never grows memory without bound. Alerts sent while
// the socket was away are not replayed: a (re)connect fetches the pages again and the head keeps
// only what is newer than them.
import type { Alert, AlertPage, LiveAlertBatch, LiveFilter } from '@portcullis/shared';
import { useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useOnConnect, useOnReconnect, useSocket, useSocketEvent } from '@/lib/socket';
import { alertKeys, toQuery, type AlertFilters } from '../api/alerts';

export interface LiveHead {
  /** Shown, newest first. */
  items: Alert[];
  /** Arrived while paused, newest first (capped). */
  held: Alert[];
  /** How many arrived while paused, including those not kept. */
  heldCount: number;
  /** Alerts the server did not send (its per-interval cap) or that fell off the capped head. */
  missed: number;
  /** Lowest id of the last batch shown, to highlight fresh rows. */
  freshFrom: number;
}

export const MAX_LIVE = 5000;
const FLUSH_MS = 250;
const EMPTY: LiveHead = { items: [], held: [], heldCount: 0, missed: 0, freshFrom: Infinity };

/** The part of the filters the server applies to the feed; the rest is applied here. */
function serverFilter(f: AlertFilters): LiveFilter {
  const q = toQuery(f);
  const out: LiveFilter = {};
  if (q.level_min !== undefined) out.level_min = q.level_min;
  if (q.rule_id !== undefined) out.rule_id = [q.rule_id];
  if (q.srcip !== undefined) out.srcip = q.srcip;
  if (q.location !== undefined) out.location = q.location;
  return out;
}

function localMatch(f: AlertFilters): (a: Alert) => boolean {
  const q = toQuery(f);
  const text = q.q?.toLowerCase();
  return (a) =>
    (q.group === undefined || a.groups.includes(q.group)) &&
    (q.host === undefined || a.host === q.host) &&
    (q.hostname === undefined || a.hostname === q.hostname) &&
    (text === undefined || a.full_log.toLowerCase().includes(text)) &&
    (q.level_min === undefined || a.level >= q.level_min) &&
    (q.rule_id === undefined || a.rule_id === q.rule_id) &&
    (q.srcip === undefined || a.srcip === q.srcip) &&
    (q.location === undefined || a.location === q.location);
}

/** Whether live alerts can belong to this view at all (a range that ended in the past cannot). */
export function isLiveView(f: AlertFilters): boolean {
  return f.range !== 'custom' || !f.to;
}

export function useLiveAlerts(filters: AlertFilters, paused: boolean) {
  const qc = useQueryClient();
  const socket = useSocket();
  const key = alertKeys.live(filters);
  const pausedRef = useRef(paused);
  const live = isLiveView(filters);
  const match = useRef(localMatch(filters));
  useEffect(() => {
    match.current = localMatch(filters);
  }, [filters]);

  const head = useQuery({ queryKey: key, queryFn: () => EMPTY, initialData: EMPTY, staleTime: Infinity, gcTime: 0 }).data;

  // A new view starts from what the server has now: forget the previous head.
  useEffect(() => {
    qc.setQueryData(key, EMPTY);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(filters)]);

  useOnConnect((s) => s.emit('filter', live ? serverFilter(filters) : { level_min: 16, rule_id: [0] }));
  useOnReconnect(() => {
    if (!live || pausedRef.current) return;
    const list = alertKeys.list(filters);
    void qc.refetchQueries({ queryKey: list, exact: true }).then(() => {
      const newest = qc.getQueryData<InfiniteData<AlertPage>>(list)?.pages[0]?.items[0]?.id ?? 0;
      qc.setQueryData<LiveHead>(key, (prev = EMPTY) => ({ ...prev, items: prev.items.filter((a) => a.id > newest) }));
    });
  });
  useEffect(() => {
    if (socket?.connected) socket.emit('filter', live ? serverFilter(filters) : { level_min: 16, rule_id: [0] });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [socket, JSON.stringify(filters)]);
  // Other pages want everything (the overview counts); reset the server filter on the way out.
  useEffect(() => () => void socket?.emit('filter', {}), [socket]);

  // The server pushes every few tens of milliseconds; the list is redrawn at most every
  // FLUSH_MS with everything that arrived meanwhile, so a flood costs a few renders a second.
  const pending = useRef<{ items: Alert[]; skipped: number }>({ items: [], skipped: 0 });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const flush = () => {
    timer.current = null;
    const { items: got, skipped } = pending.current;
    pending.current = { items: [], skipped: 0 };
    const items = got.sort((a, b) => b.id - a.id);
    if (items.length === 0 && skipped === 0) return;
    qc.setQueryData<LiveHead>(key, (prev = EMPTY) => {
      if (pausedRef.current) {
        const held = items.concat(prev.held);
        return { ...prev, held: held.length > MAX_LIVE ? held.slice(0, MAX_LIVE) : held, heldCount: prev.heldCount + items.length + skipped };
      }
      const all = items.concat(prev.items);
      const kept = all.length > MAX_LIVE ? all.slice(0, MAX_LIVE) : all;
      return {
        ...prev,
        items: kept,
        missed: prev.missed + skipped + (all.length - kept.length),
        // Highlight a trickle of new rows; in a flood the highlight would only cost paint.
        freshFrom: items.length > 0 && items.length <= 30 ? items[items.length - 1]!.id : Infinity,
      };
    });
  };
  const flushRef = useRef(flush);
  useEffect(() => {
    flushRef.current = flush;
  });
  useEffect(() => {
    pending.current = { items: [], skipped: 0 };
    return () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(filters)]);

  useSocketEvent('alerts', (batch: LiveAlertBatch) => {
    if (!live) return;
    const p = pending.current;
    for (const a of batch.items) if (match.current(a)) p.items.push(a);
    p.skipped += batch.skipped;
    if (p.items.length === 0 && p.skipped === 0) return;
    timer.current ??= setTimeout(() => flushRef.current(), FLUSH_MS);
  });

  const setPaused = (p: boolean) => {
    pausedRef.current = p;
    if (p) return;
    // Resume: what was held goes on top; what did not fit is counted as missed.
    qc.setQueryData<LiveHead>(key, (prev = EMPTY) => {
      const all = prev.held.concat(prev.items);
      const kept = all.slice(0, MAX_LIVE);
      const dropped = prev.heldCount - prev.held.length + (all.length - kept.length);
      return { items: kept, held: [], heldCount: 0, missed: prev.missed + dropped, freshFrom: prev.held.length ? prev.held[prev.held.length - 1]!.id : prev.freshFrom };
    });
  };
  useEffect(() => {
    if (pausedRef.current !== paused) setPaused(paused);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [paused]);

  const reset = () => qc.setQueryData(key, EMPTY);
  return { head, live, reset };
}
