import { formatClock } from '@/lib/format';
import { useNow } from '@/lib/use-now';

/** Time left until `until`, with a bar for the share of `from`→`until` that remains. */
export function Countdown({ from, until, label }: { from: string; until: string | null; label?: string }) {
  const now = useNow();
  if (!until) return <span className="muted">no timeout</span>;
  const end = new Date(until).getTime();
  const start = new Date(from).getTime();
  const left = Math.max(0, (end - now) / 1000);
  const share = end > start ? Math.min(1, Math.max(0, (end - now) / (end - start))) : 0;
  return (
    <span className={`countdown ${left < 60 ? 'soon' : ''}`} role="timer" aria-label={`${label ?? 'Time left'}: ${formatClock(left)}`}>
      <b>{left > 0 ? formatClock(left) : 'due'}</b>
      <span className="track" aria-hidden="true">
        <i style={{ width: `${share * 100}%` }} />
      </span>
    </span>
  );
}
