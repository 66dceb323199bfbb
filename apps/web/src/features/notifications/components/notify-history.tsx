// What was sent, to whom, with every attempt and the last error; refreshed every 5 s.
import type { NotifyHistoryItem } from '@portcullis/shared';
import { Badge } from '@/components/ui/badges';
import { Card } from '@/components/ui/card';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Time } from '@/components/ui/time';
import { useNotifyHistory } from '../api/notifications';

const TONE: Record<NotifyHistoryItem['state'], 'ok' | 'danger' | 'warn' | 'neutral' | 'info'> = { sent: 'ok', failed: 'danger', queued: 'warn', held: 'info', grouped: 'neutral' };

export function NotifyHistory() {
  const q = useNotifyHistory();
  return (
    <Card title="History" hint="The last 100 notifications" flush>
      {q.isPending ? <Loading rows={4} /> : q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.data.items.length === 0 ? (
        <Empty title="Nothing sent yet">Alerts and block events that match a destination appear here, with each attempt.</Empty>
      ) : (
        <table className="table" aria-label="Notification history">
          <thead><tr><th>When</th><th>To</th><th>What</th><th>State</th><th>Attempts</th><th>Last error</th></tr></thead>
          <tbody>
            {q.data.items.map((i) => (
              <tr key={i.id}>
                <td><Time iso={i.created_at} relative /></td>
                <td>{i.label}</td>
                <td className="small">{i.summary}</td>
                <td><Badge tone={TONE[i.state]} dot>{i.state}</Badge>{i.next_at && <span className="muted small"> next <Time iso={i.next_at} relative /></span>}</td>
                <td title={i.attempts.map((a) => `${a.time} ${a.ok ? 'ok' : a.error ?? 'failed'} (${a.duration_ms} ms)`).join('\n')}>{i.attempts.length}</td>
                <td className="small mono" style={{ color: i.last_error ? 'var(--danger)' : undefined }}>{i.last_error ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
