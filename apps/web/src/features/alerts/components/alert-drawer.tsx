// One alert in full: the line as received, decoded fields, the rule and its chain, and links to
// the address's timeline and the rule.
import type { Alert } from '@portcullis/shared';
import { Link } from 'react-router';
import { ApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { LevelBadge } from '@/components/ui/badges';
import { Drawer } from '@/components/ui/dialog';
import { ErrorState, Loading } from '@/components/ui/states';
import { useAlert, useRuleChain } from '../api/alerts';

export function AlertDrawer({ id, onClose, onFilter }: { id: number; onClose: () => void; onFilter: (patch: Record<string, string>) => void }) {
  const q = useAlert(id);
  const a = q.data;
  return (
    <Drawer
      label="Alert details"
      onClose={onClose}
      title={a ? <span className="row"><LevelBadge level={a.level} /> <span>{a.description}</span></span> : `Alert ${id}`}
      subtitle={a ? <>Alert #{a.id} · rule {a.rule_id} · {formatDateTime(a.time)}</> : null}
    >
      {q.isPending ? <Loading /> : q.error || !a ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : <AlertBody a={a} onFilter={onFilter} />}
    </Drawer>
  );
}

function AlertBody({ a, onFilter }: { a: Alert; onFilter: (patch: Record<string, string>) => void }) {
  const fields = Object.entries(a.fields);
  return (
    <>
      <div className="row wrap">
        {a.srcip && (
          <Link className="btn sm" to={`/ips/${encodeURIComponent(a.srcip)}`}>
            Timeline of {a.srcip}
          </Link>
        )}
        <Link className="btn sm" to={`/rules/${a.rule_id}`}>
          Rule {a.rule_id}
        </Link>
        {a.srcip && (
          <button type="button" className="btn sm ghost" onClick={() => onFilter({ srcip: a.srcip! })}>
            Only this address
          </button>
        )}
        <button type="button" className="btn sm ghost" onClick={() => onFilter({ rule_id: String(a.rule_id) })}>
          Only this rule
        </button>
      </div>
      <section>
        <div className="section-title">Log line</div>
        <pre className="log" data-testid="alert-full-log">{a.full_log}</pre>
      </section>
      <section>
        <div className="section-title">Summary</div>
        <dl className="kv">
          <dt>Received</dt>
          <dd className="num">{formatDateTime(a.time)}</dd>
          <dt>Time in the line</dt>
          <dd className="num">{a.event_time ? formatDateTime(a.event_time) : '—'}</dd>
          <dt>Source IP</dt>
          <dd className="mono">{a.srcip ? <Link to={`/ips/${encodeURIComponent(a.srcip)}`}>{a.srcip}</Link> : '—'}</dd>
          <dt>User</dt>
          <dd>{a.user ?? '—'}</dd>
          <dt>Sent by host</dt>
          <dd>{a.host ? <button type="button" className="tag" style={{ border: 'none', cursor: 'pointer' }} onClick={() => onFilter({ host: a.host ?? '' })} title={`Only alerts sent by ${a.host}`}>{a.host}</button> : <span className="muted">this server</span>}</dd>
          <dt>Hostname</dt>
          <dd>{a.hostname ?? '—'}</dd>
          <dt>Program</dt>
          <dd>{a.program_name ?? '—'}</dd>
          <dt>Location</dt>
          <dd className="mono">{a.location}</dd>
          <dt>Decoder</dt>
          <dd className="mono">{a.decoder ?? '—'}</dd>
          <dt>Groups</dt>
          <dd>
            {a.groups.length === 0 ? '—' : a.groups.map((g) => (
              <button key={g} type="button" className="tag" style={{ border: 'none', cursor: 'pointer' }} onClick={() => onFilter({ group: g })} title={`Only alerts in group ${g}`}>
                {g}
              </button>
            ))}
          </dd>
        </dl>
      </section>
      <section>
        <div className="section-title">Decoded fields</div>
        {fields.length === 0 ? (
          <p className="muted">The decoder extracted no fields from this line.</p>
        ) : (
          <dl className="kv">
            {fields.map(([k, v]) => (
              <div key={k} style={{ display: 'contents' }}>
                <dt className="mono">{k}</dt>
                <dd className="mono">{v}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <RuleSection ruleId={a.rule_id} level={a.level} description={a.description} />
    </>
  );
}

function RuleSection({ ruleId, level, description }: { ruleId: number; level: number; description: string }) {
  const q = useRuleChain(ruleId);
  return (
    <section>
      <div className="section-title">Rule and its chain</div>
      {q.isPending ? (
        <Loading rows={2} />
      ) : q.error ? (
        <>
          <div className="chain">
            <LevelBadge level={level} />
            <Link to={`/rules/${ruleId}`}>{ruleId}</Link>
            <span>{description}</span>
          </div>
          <p className="muted small" style={{ marginTop: 6 }}>
            {q.error instanceof ApiError && q.error.missing ? 'The parents of this rule are not available from this server yet.' : q.error instanceof Error ? q.error.message : ''}
          </p>
        </>
      ) : q.data ? (
        <ol className="chain" aria-label="Rule chain, root first" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {[...q.data.chain, { id: q.data.id, level: q.data.level, description: q.data.description }].map((r, i, all) => (
            <li key={r.id} className="row">
              <LevelBadge level={r.level} />
              <Link to={`/rules/${r.id}`} title={r.description}>
                {r.id}
              </Link>
              <span className={i === all.length - 1 ? '' : 'muted small'}>{r.description}</span>
              {i < all.length - 1 && <span className="sep" aria-hidden="true">→</span>}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
