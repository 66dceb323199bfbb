// The overview follows the live feed: when alerts arrive, the numbers are fetched again, at most
// every few seconds however many arrive, and once more when the feed has been quiet for a while
// (the server hands out a finished stats answer again for a couple of seconds, so the answer to
// the first fetch may predate the last alerts); and after a (re)connect, for what came meanwhile.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useOnReconnect, useSocketEvent } from '@/lib/socket';

const MIN_INTERVAL_MS = 3000;
/** The last refresh after a burst: longer than the server's reuse of a finished answer. */
const QUIET_MS = 5000;

export function useLiveStats() {
  const qc = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const trailing = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
    if (trailing.current) clearTimeout(trailing.current);
  }, []);
  const refresh = () => {
    last.current = Date.now();
    timer.current = null;
    void qc.invalidateQueries({ queryKey: ['stats'] });
  };
  useOnReconnect(refresh);
  useSocketEvent('alerts', (batch) => {
    if (batch.items.length === 0 && batch.skipped === 0) return;
    if (trailing.current) clearTimeout(trailing.current);
    trailing.current = setTimeout(() => {
      trailing.current = null;
      refresh();
    }, QUIET_MS);
    if (timer.current) return;
    const wait = Math.max(0, last.current + MIN_INTERVAL_MS - Date.now());
    timer.current = setTimeout(refresh, wait);
  });
}
