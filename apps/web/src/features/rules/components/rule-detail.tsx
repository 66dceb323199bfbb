// One rule: what it is, where it sits in the tree, its source, and (for admins) its tuning.
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import { useCan } from '@/lib/authorization';
import { Badge, LevelBadge } from '@/components/ui/badges';
import { Card } from '@/components/ui/card';
import { ErrorState, Loading } from '@/components/ui/states';
import { useRule } from '../api/rules';
import { OverrideForm } from './override-form';

const CodeEditor = lazy(() => import('@/components/ui/code-editor').then((m) => ({ default: m.CodeEditor })));

export function RuleDetailView({ id }: { id: number }) {
  const q = useRule(id);
  const canTune = useCan('rules:write');
  if (q.isPending) return <Card><Loading /></Card>;
  if (q.error) return <Card><ErrorState error={q.error} onRetry={() => void q.refetch()} /></Card>;
  const r = q.data;
  return (
    <div className="stack">
      <Card
        title={
          <span className="row">
            <LevelBadge level={r.level} /> Rule {r.id}
            {r.disabled && <Badge tone="warn">disabled</Badge>}
            {r.overridden && <Badge tone={r.stale_override ? 'warn' : 'info'}>{r.stale_override ? 'override stale' : 'tuned'}</Badge>}
          </span>
        }
        actions={<Link className="btn sm" to={`/alerts?rule_id=${r.id}`}>Alerts of this rule</Link>}
      >
        <p style={{ fontSize: 15, marginBottom: 12 }} data-testid="rule-description">{r.description}</p>
        <dl className="kv">
          <dt>Level</dt>
          <dd data-testid="rule-level">{r.level}{r.level !== r.base_level && <span className="muted"> (written: {r.base_level})</span>}</dd>
          <dt>File</dt>
          <dd className="mono"><Link to={`/files?path=${encodeURIComponent(r.file)}&line=${r.line}`}>{r.file}:{r.line}</Link></dd>
          <dt>Groups</dt>
          <dd>{r.groups.length ? r.groups.map((g) => <span key={g} className="tag">{g}</span>) : '—'}</dd>
          <dt>Chain</dt>
          <dd>
            {r.chain.length === 0 ? <span className="muted">a root rule</span> : (
              <span className="chain">
                {r.chain.map((c) => (
                  <span key={c.id} className="row" title={c.description}>
                    <Link to={`/rules/${c.id}`}>{c.id}</Link>
                    <span className="sep">→</span>
                  </span>
                ))}
                <b>{r.id}</b>
              </span>
            )}
          </dd>
          {r.if_group && (<><dt>Under group</dt><dd className="mono">{r.if_group}</dd></>)}
          {r.decoded_as && (<><dt>Decoded as</dt><dd className="mono">{r.decoded_as}</dd></>)}
          {r.frequency !== null && (<><dt>Correlation</dt><dd>{r.frequency} events in {r.timeframe ?? '?'} s</dd></>)}
          <dt>Children</dt>
          <dd>
            {r.children.length === 0 ? '—' : r.children.slice(0, 30).map((c) => (
              <Link key={c.id} to={`/rules/${c.id}`} className="tag" title={c.description}>{c.id}</Link>
            ))}
            {r.children.length > 30 && <span className="muted small"> and {r.children.length - 30} more</span>}
          </dd>
          <dt>Responses</dt>
          <dd>{r.active_responses.length ? <Link to="/responses">{r.active_responses.length} active response{r.active_responses.length > 1 ? 's' : ''} bound</Link> : <span className="muted">none</span>}</dd>
        </dl>
      </Card>
      {canTune ? (
        <Card title="Tune" hint="an override, kept across ruleset upgrades">
          <OverrideForm key={`${r.id}-${r.override?.updated_at ?? 'none'}`} rule={r} />
        </Card>
      ) : r.override ? (
        <div className="banner info">Tuned by {r.override.updated_by ?? 'an admin'}: “{r.override.note}”.</div>
      ) : null}
      <Card title="Source" hint={`${r.file}, line ${r.line}`}>
        <Suspense fallback={<Loading rows={6} />}>
          <CodeEditor label={`Source of rule ${r.id}`} value={r.source} readOnly height="auto" />
        </Suspense>
      </Card>
    </div>
  );
}
