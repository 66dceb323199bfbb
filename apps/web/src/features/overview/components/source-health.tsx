// Log sources and their state: is Portcullis reading what it should?
import type { SourceInfo } from '@portcullis/shared';
import { Badge, type Tone } from '@/components/ui/badges';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { formatNumber, formatRelative } from '@/lib/format';
import { useSources } from '../api/overview';

const TONE: Record<SourceInfo['state'], Tone> = { running: 'ok', starting: 'info', waiting: 'warn', failed: 'danger', stopped: 'neutral' };

export function SourceHealth() {
  const q = useSources();
  if (q.isPending) return <Loading rows={3} />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.items.length === 0) return <Empty title="No log sources">Add a &lt;localfile&gt; to the config to start reading logs.</Empty>;
  return (
    <table className="table" aria-label="Log sources">
      <thead>
        <tr>
          <th>Source</th>
          <th>State</th>
          <th className="right">Lines read</th>
        </tr>
      </thead>
      <tbody>
        {q.data.items.map((s) => (
          <tr key={s.id}>
            <td style={{ maxWidth: 240 }}>
              <div className="mono ellipsis" title={s.target}>{s.target}</div>
              <div className="muted small">
                {s.kind}
                {s.last_error && (
                  <span style={{ color: 'var(--danger)' }} title={s.last_error}>
                    {' '}· {s.last_error} ({formatRelative(s.last_error_at)})
                  </span>
                )}
              </div>
            </td>
            <td>
              <Badge tone={TONE[s.state]} dot>
                {s.state}
              </Badge>
            </td>
            <td className="right num">{formatNumber(s.lines_read)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
