// The overview follows the live feed: when alerts arrive, the numbers are fetched again, at most
// every few seconds however many arrive; and after a (re)connect, for what came meanwhile.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useOnReconnect, useSocketEvent } from '@/lib/socket';

const MIN_INTERVAL_MS = 3000;

export function useLiveStats() {
  const qc = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const refresh = () => {
    last.current = Date.now();
    timer.current = null;
    void qc.invalidateQueries({ queryKey: ['stats'] });
  };
  useOnReconnect(refresh);
  useSocketEvent('alerts', (batch) => {
    if (batch.items.length === 0 && batch.skipped === 0) return;
    if (timer.current) return;
    const wait = Math.max(0, last.current + MIN_INTERVAL_MS - Date.now());
    timer.current = setTimeout(refresh, wait);
  });
}
