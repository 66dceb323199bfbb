// Registered hosts: for each, whether its bouncer is pulling (healthy or stale, last pull, its
// type and version), the logs it sends (last line, lines and alerts per minute), refused
// authentications and the blocks it enforces. Admins add hosts, rotate their secrets and revoke them.
// Live: the list refetches on the feed's `hosts` and `block` events, and every few seconds for what
// changes with time alone.
import type { Host, HostSecrets } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '@/lib/api-client';
import { useCan } from '@/lib/authorization';
import { formatDuration, formatNumber, formatWhen } from '@/lib/format';
import { Badge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { Card, Field } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { IconPlus } from '@/components/ui/icons';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Time } from '@/components/ui/time';
import { useToast } from '@/components/ui/toast';
import { HOSTS_REFRESH_MS, useAddHost, useHosts, useRevokeHost, useRotateHost } from '../api/hosts';
import { useLiveHosts } from '../hooks/use-live-hosts';
import { HostSecretsDialog } from './host-secrets';

function BouncerStatus({ h }: { h: Host }) {
  if (h.status === 'revoked') return <Badge tone="neutral" dot>revoked</Badge>;
  if (h.status === 'healthy') return <Badge tone="ok" dot title="pulled within 3× its poll interval">healthy</Badge>;
  return <Badge tone="danger" dot title={h.last_pull_at ? 'no pull for 3× its poll interval' : 'its bouncer never pulled'}>stale</Badge>;
}

function userAgent(ua: string | null) {
  if (!ua) return null;
  const [name, version] = ua.split('/', 2);
  return <span title={ua}>{name}{version && ` ${version}`}</span>;
}

function interval(ms: number): string {
  return ms < 1000 ? `${ms} ms` : formatDuration(ms / 1000);
}

export function HostsView() {
  const q = useHosts();
  useLiveHosts();
  const admin = useCan('hosts:write');
  const rotate = useRotateHost();
  const revoke = useRevokeHost();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<{ secrets: HostSecrets; rotated: boolean } | null>(null);
  const fail = (err: unknown) => toast(errorMessage(err), 'error');
  const active = q.data?.items.filter((h) => h.status !== 'revoked') ?? [];
  const stale = active.filter((h) => h.status === 'stale').length;
  return (
    <div className="stack">
      <Card
        title="Hosts"
        hint={q.data ? `${active.length} active${stale ? `, ${stale} stale` : ''} · refreshed every ${HOSTS_REFRESH_MS / 1000} s` : undefined}
        actions={admin && <Button size="sm" variant="primary" icon={<IconPlus />} onClick={() => setAdding(true)}>Add host</Button>}
        flush
      >
        {q.isPending ? <Loading rows={4} /> : q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.data.items.length === 0 ? (
          <Empty title="No hosts registered">
            {admin ? 'Add one to give its bouncer an API key and its log shipper a token and certificate.' : 'An admin adds hosts here or with portcullis host add NAME.'}
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Hosts">
              <thead>
                <tr>
                  <th>Host</th><th>Bouncer</th><th>Logs</th>
                  <th className="right">Alerts / min</th><th className="right">Auth failures</th><th className="right">Active decisions</th>
                  {admin && <th />}
                </tr>
              </thead>
              <tbody>
                {q.data.items.map((h) => (
                  <tr key={h.name} data-host={h.name} data-status={h.status} style={h.status === 'revoked' ? { opacity: 0.6 } : undefined}>
                    <td className="nowrap">
                      <b>{h.name}</b>
                      <div className="muted small">added <Time iso={h.created_at} /></div>
                    </td>
                    <td>
                      <div className="row nowrap">
                        <BouncerStatus h={h} />
                        <span className="small">
                          {h.last_pull_at ? <>pulled <Time iso={h.last_pull_at} relative /></> : 'never pulled'}
                          {h.status === 'stale' && h.stale_since && <span className="muted">, stale since {formatWhen(h.stale_since)}</span>}
                        </span>
                      </div>
                      {(h.user_agent || h.poll_interval_ms !== null) && (
                        <div className="muted small" style={{ marginTop: 2 }}>
                          {userAgent(h.user_agent)}
                          {h.poll_interval_ms !== null && `${h.user_agent ? ' · ' : ''}every ${interval(h.poll_interval_ms)}`}
                        </div>
                      )}
                    </td>
                    <td className="nowrap">
                      <div className="num">{formatNumber(h.lines_last_minute)} lines / min</div>
                      <div className="muted small">
                        {h.last_line_at ? <>last <Time iso={h.last_line_at} relative /></> : 'no line yet'} · {formatNumber(h.lines)} in all
                      </div>
                      {h.refused_lines > 0 && <div className="small" style={{ color: 'var(--danger)' }}>{formatNumber(h.refused_lines)} refused</div>}
                    </td>
                    <td className="right num">{h.alerts_last_minute > 0 ? <Link to={`/alerts?host=${encodeURIComponent(h.name)}&range=15m`}>{formatNumber(h.alerts_last_minute)}</Link> : 0}</td>
                    <td className="right num">
                      {h.auth_failures > 0 ? <span title={h.last_auth_failure_at ? `last ${formatWhen(h.last_auth_failure_at)}` : undefined}><Badge tone="warn">{formatNumber(h.auth_failures)}</Badge></span> : <span className="muted">0</span>}
                    </td>
                    <td className="right num">
                      {formatNumber(h.active_decisions)}
                      {h.pending_decisions > 0 && <div className="muted small">{formatNumber(h.pending_decisions)} not pulled yet</div>}
                    </td>
                    {admin && (
                      <td className="actions">
                        {h.status !== 'revoked' && (
                          <div className="row" style={{ justifyContent: 'flex-end' }}>
                            <Button size="sm" variant="ghost" onClick={() => window.confirm(`New key and token for ${h.name}? The old ones stop working at once.`) && rotate.mutate(h.name, { onSuccess: (s) => setShown({ secrets: s, rotated: true }), onError: fail })}>Rotate key</Button>
                            <Button size="sm" variant="ghost" onClick={() => window.confirm(`Revoke ${h.name}? Its bouncer and its logs are refused at once; its history stays.`) && revoke.mutate(h.name, { onSuccess: () => toast(`${h.name} revoked.`), onError: fail })}>Revoke</Button>
                          </div>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {adding && <AddHost onClose={() => setAdding(false)} onAdded={(s) => { setAdding(false); setShown({ secrets: s, rotated: false }); }} />}
      {shown && <HostSecretsDialog secrets={shown.secrets} rotated={shown.rotated} onClose={() => setShown(null)} />}
    </div>
  );
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function AddHost({ onClose, onAdded }: { onClose: () => void; onAdded: (s: HostSecrets) => void }) {
  const add = useAddHost();
  const [name, setName] = useState('');
  const bad = name !== '' && !NAME.test(name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!bad) add.mutate(name.trim(), { onSuccess: onAdded });
  };
  return (
    <Dialog title="Add a host" description="It gets a bouncer API key and an ingest token, shown once." onClose={onClose}>
      <form onSubmit={submit} style={{ display: 'contents' }}>
        {add.error && <div className="banner danger" role="alert">{errorMessage(add.error)}</div>}
        <Field label="Name" htmlFor="host-name" help="Letters, digits, '.', '_' or '-'. Also the CN of its client certificate." error={bad ? 'Not a valid host name.' : undefined}>
          <input id="host-name" className="input" required value={name} onChange={(e) => setName(e.target.value)} data-autofocus placeholder="e.g. web1" autoComplete="off" spellCheck={false} />
        </Field>
        <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={add.isPending} disabled={bad}>Add host</Button>
        </div>
      </form>
    </Dialog>
  );
}
