import { formatDateTime, formatRelative, formatWhen } from '@/lib/format';
import { useNow } from '@/lib/use-now';

/** A time shown compactly, with the full date and time on hover and for screen readers. */
export function Time({ iso, relative = false }: { iso: string | null | undefined; relative?: boolean }) {
  if (!iso) return <span className="muted">—</span>;
  return relative ? <RelativeTime iso={iso} /> : (
    <time dateTime={iso} title={formatDateTime(iso)} className="num">
      {formatWhen(iso)}
    </time>
  );
}

function RelativeTime({ iso }: { iso: string }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={formatDateTime(iso)} className="num">
      {formatRelative(iso, now)}
    </time>
  );
}
