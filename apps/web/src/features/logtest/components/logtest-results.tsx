// What the engine made of each line (pre-decoding, decoding, rules) and, for the whole paste,
// which addresses would be blocked and when.
import type { LogtestLine, LogtestResponse } from '@portcullis/shared';
import { Link } from 'react-router';
import { formatDateTime, formatDuration, formatNumber } from '@/lib/format';
import { Badge, LevelBadge } from '@/components/ui/badges';
import { Card } from '@/components/ui/card';
import { Empty } from '@/components/ui/states';

export function ReplaySummary({ r }: { r: LogtestResponse }) {
  const alerts = Object.entries(r.replay.alerts).sort((a, b) => b[1] - a[1]);
  const total = alerts.reduce((n, [, c]) => n + c, 0);
  return (
    <Card title="Would this block, and when?" hint={`${formatNumber(r.replay.lines)} lines · ${formatNumber(total)} alerts · ${r.ruleset === 'draft' ? 'draft ruleset' : 'live ruleset'}`} flush id="replay">
      {r.replay.blocks.length === 0 ? (
        <div className="card-body" data-testid="replay-verdict">
          <div className="banner ok"><b>No block.</b> These lines would not make any active response block an address.</div>
        </div>
      ) : (
        <>
          <div className="card-body" data-testid="replay-verdict">
            <div className="banner danger">
              <span>
                <b>Yes: {r.replay.blocks.length} {r.replay.blocks.length === 1 ? 'block' : 'blocks'}.</b> The first at {formatDateTime(r.replay.blocks[0]!.at)} ({r.replay.blocks[0]!.ip}, rule {r.replay.blocks[0]!.rule_id}).
              </span>
            </div>
          </div>
          <table className="table" aria-label="Blocks the replay would issue">
            <thead>
              <tr>
                <th>Address</th>
                <th>At</th>
                <th>Line</th>
                <th>Rule</th>
                <th>Command</th>
                <th>For</th>
                <th>Released at</th>
              </tr>
            </thead>
            <tbody>
              {r.replay.blocks.map((b, i) => (
                <tr key={i}>
                  <td className="mono">{b.ip}</td>
                  <td className="num">{formatDateTime(b.at)}</td>
                  <td className="num">{b.line ?? '—'}</td>
                  <td><Link to={`/rules/${b.rule_id}`}>{b.rule_id}</Link></td>
                  <td className="mono">{b.command}</td>
                  <td className="num">{b.timeout ? formatDuration(b.timeout) : 'no timeout'}</td>
                  <td className="num">{b.release_at ? formatDateTime(b.release_at) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {r.replay.refused.length > 0 && (
        <div className="card-body">
          <div className="section-title">Refused</div>
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {r.replay.refused.map((x, i) => (
              <li key={i}>
                <span className="mono">{x.ip}</span> at {formatDateTime(x.at)} (rule {x.rule_id}): {x.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}

function Kv({ rows }: { rows: Array<[string, React.ReactNode]> }) {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd>{v === null || v === undefined || v === '' ? <span className="muted">—</span> : v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function LineResult({ l }: { l: LogtestLine }) {
  return (
    <article className="card" data-testid="logtest-line" aria-label={`Line ${l.line}`}>
      <header className="card-head">
        <span className="badge outline num">Line {l.line}</span>
        <code className="grow ellipsis" title={l.input}>{l.input}</code>
        {!l.processed ? <Badge>skipped</Badge> : l.alert ? <Badge tone="danger" dot>Alert</Badge> : l.rule ? <Badge>no alert</Badge> : <Badge>no rule matched</Badge>}
      </header>
      {l.processed && (
        <div className="card-body grid cols-3">
          <section className="phase" aria-label="Phase 1: pre-decoding">
            <h4>Phase 1 · Pre-decoding</h4>
            <Kv rows={[
              ['timestamp', l.predecode.timestamp],
              ['hostname', l.predecode.hostname],
              ['program_name', l.predecode.program_name],
              ['log', <span className="mono">{l.predecode.log}</span>],
            ]} />
          </section>
          <section className="phase" aria-label="Phase 2: decoding">
            <h4>Phase 2 · Decoding</h4>
            <Kv rows={[
              ['decoder', l.decode.decoder && <span className="mono">{l.decode.decoder}</span>],
              ...(l.decode.parent ? [['parent', <span className="mono">{l.decode.parent}</span>] as [string, React.ReactNode]] : []),
              ...Object.entries(l.decode.fields).map(([k, v]) => [k, <span className="mono">{v}</span>] as [string, React.ReactNode]),
            ]} />
          </section>
          <section className="phase" aria-label="Phase 3: rules">
            <h4>Phase 3 · Rules</h4>
            {l.rule ? (
              <Kv rows={[
                ['rule', <span className="row"><LevelBadge level={l.rule.level} /><Link to={`/rules/${l.rule.id}`}>{l.rule.id}</Link></span>],
                ['description', l.rule.description],
                ['groups', l.rule.groups.map((g) => <span key={g} className="tag">{g}</span>)],
                ['chain', l.rule.chain.length > 1 ? <span className="mono small">{l.rule.chain.join(' → ')}</span> : null],
                ...(l.rule.correlation ? [['correlation', l.rule.correlation] as [string, React.ReactNode]] : []),
                ['alert', l.alert ? <b style={{ color: 'var(--danger)' }}>yes</b> : 'no'],
              ]} />
            ) : (
              <p className="muted" style={{ padding: '8px 10px' }}>No rule matched.</p>
            )}
          </section>
        </div>
      )}
    </article>
  );
}

export function LogtestResults({ r }: { r: LogtestResponse }) {
  return (
    <div className="stack">
      <ReplaySummary r={r} />
      {r.results.length === 0 ? <Empty title="No lines" /> : r.results.map((l) => <LineResult key={l.line} l={l} />)}
    </div>
  );
}
