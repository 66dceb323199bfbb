import type { Stats } from '@portcullis/shared';
import { Link } from 'react-router';
import { LevelBadge } from '@/components/ui/badges';
import { Empty } from '@/components/ui/states';
import { formatNumber } from '@/lib/format';

export function TopSources({ stats }: { stats: Stats }) {
  const max = Math.max(1, ...stats.top_sources.map((s) => s.count));
  if (stats.top_sources.length === 0) return <Empty title="No source addresses">No alert in this range carried a source IP.</Empty>;
  return (
    <ol className="bar-list" aria-label="Top source addresses">
      {stats.top_sources.map((s) => (
        <li key={s.srcip}>
          <Link to={`/ips/${encodeURIComponent(s.srcip)}`} className="mono">
            {s.srcip}
          </Link>
          <Link to={`/alerts?srcip=${encodeURIComponent(s.srcip)}`} className="num muted" title="Show these alerts">
            {formatNumber(s.count)}
          </Link>
          <span className="bar" aria-hidden="true">
            <i style={{ width: `${(s.count / max) * 100}%`, background: 'var(--sev-high)' }} />
          </span>
        </li>
      ))}
    </ol>
  );
}

/**
 * A rule's description as a line that stands for all its alerts: each run of `$(field)` (filled
 * per alert, "failed password for $(dstuser)$(srcuser)") shows as "…"; the tooltip has it whole.
 */
export function ruleSummary(description: string): string {
  return description.replace(/(?:\$\([^)]*\))+/g, '…');
}

export function TopRules({ stats }: { stats: Stats }) {
  const max = Math.max(1, ...stats.top_rules.map((s) => s.count));
  if (stats.top_rules.length === 0) return <Empty title="No rules fired">No alert in this range.</Empty>;
  return (
    <ol className="bar-list" aria-label="Top rules">
      {stats.top_rules.map((r) => (
        <li key={r.rule_id}>
          <span className="row ellipsis">
            <LevelBadge level={r.level} />
            <Link to={`/rules/${r.rule_id}`} className="mono">
              {r.rule_id}
            </Link>
            <span className="ellipsis" title={r.description}>
              {ruleSummary(r.description)}
            </span>
          </span>
          <Link to={`/alerts?rule_id=${r.rule_id}`} className="num muted" title="Show these alerts">
            {formatNumber(r.count)}
          </Link>
          <span className="bar" aria-hidden="true">
            <i style={{ width: `${(r.count / max) * 100}%` }} />
          </span>
        </li>
      ))}
    </ol>
  );
}
