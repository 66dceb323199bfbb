// The Notifications page: OSSEC's e-mail settings, Wazuh's integrations and the block events
// people are told about, edited as forms and saved into the config by the server (admins); a test
// per destination; the history of what was sent, with failures and attempts (everyone). Each card
// saves its own part; every save sends the whole settings with the hash the page was read at.
import type { EmailRuleSettings, NotificationSettings, NotifyBlockEvent, NotifyValidation, SmtpSettings } from '@portcullis/shared';
import { NOTIFY_BLOCK_EVENTS } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '@/lib/api-client';
import { Badge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { Card, Field } from '@/components/ui/card';
import { ErrorState, Loading } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { useNotificationSettings, useSaveNotifications, useSendTest } from '../api/notifications';
import { EmailRuleForm } from './email-rule-form';
import { IntegrationForm, list } from './integration-form';
import { NotifyHistory } from './notify-history';
import { SmtpCard } from './smtp-card';

type Draft = Pick<NotificationSettings, 'email' | 'email_alerts' | 'integrations' | 'notify_blocks'>;

/** A save: what to write, what to call it in the toast, and (only from the SMTP card) the <smtp> block. */
type Apply = (next: Draft, what: string, opts?: { smtp?: SmtpSettings; done?: () => void }) => void;

export function NotificationsView() {
  const q = useNotificationSettings();
  if (q.isPending) return <Loading rows={6} />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <div className="stack" style={{ gap: 16 }}>
      <Settings key={q.data.hash} settings={q.data} />
      <NotifyHistory />
    </div>
  );
}

function Settings({ settings }: { settings: NotificationSettings }) {
  const [draft, setDraft] = useState<Draft>({ email: settings.email, email_alerts: settings.email_alerts, integrations: settings.integrations, notify_blocks: settings.notify_blocks });
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<number | null>(null);
  const save = useSaveNotifications();
  const toast = useToast();
  const editable = settings.editable;
  const issues = save.error instanceof ApiError && save.error.status === 422 ? (save.error.body as NotifyValidation).issues : [];
  const apply: Apply = (next, what, opts = {}) => {
    // The draft changes only once the server took it: a refused save leaves the form open as typed.
    save.mutate({ base_hash: settings.hash, ...next, ...(opts.smtp ? { smtp: opts.smtp } : {}) }, {
      onSuccess: () => {
        setDraft(next);
        opts.done?.();
        toast(`${what} saved into the config.`);
      },
    });
  };
  return (
    <>
      {save.error && (
        <div className="banner danger" role="alert">
          {issues.length ? issues.map((i) => <div key={i.field + i.message}><b>{i.field}</b>: {i.message}</div>) : errorMessage(save.error)}
        </div>
      )}
      <div className="grid main-side" style={{ alignItems: 'start' }}>
        <Card title="Integrations" hint="Slack, or custom-… for a JSON webhook" flush
          actions={editable && !adding ? <Button size="sm" variant="primary" onClick={() => setAdding(true)}>Add a webhook</Button> : null}>
          {adding && <IntegrationForm busy={save.isPending} onCancel={() => setAdding(false)}
            onSave={(i) => apply({ ...draft, integrations: [...draft.integrations, i] }, `${i.name}`, { done: () => setAdding(false) })} />}
          {editing !== null && draft.integrations[editing] && (
            <IntegrationForm key={editing} initial={draft.integrations[editing]} busy={save.isPending} onCancel={() => setEditing(null)}
              onSave={(i) => apply({ ...draft, integrations: draft.integrations.map((o, k) => (k === editing ? i : o)) }, `Changes to ${i.name}`, { done: () => setEditing(null) })} />
          )}
          {draft.integrations.length === 0 && !adding ? <p className="muted" style={{ padding: 16 }}>No integration: alerts go nowhere but the dashboard and e-mail.</p> : (
            <table className="table" aria-label="Integrations">
              <thead><tr><th>Name</th><th>Hook URL</th><th>Alerts</th><th>Block events</th>{editable && <th />}</tr></thead>
              <tbody>
                {draft.integrations.map((i, n) => (
                  <tr key={`${i.name}-${n}`} aria-current={editing === n ? 'true' : undefined}>
                    <td><b>{i.name}</b></td>
                    <td className="mono small" style={{ wordBreak: 'break-all' }}>{i.hook_url}</td>
                    <td className="small">{i.level !== null ? `level ≥ ${i.level}` : 'all'}{i.group.length ? `, groups ${i.group.join(', ')}` : ''}{i.rule_id.length ? `, rules ${i.rule_id.join(', ')}` : ''}</td>
                    <td className="small">{(i.notify_blocks ?? draft.notify_blocks).join(', ') || <span className="muted">none</span>}</td>
                    {editable && (
                      <td className="actions">
                        <TestButton destination={settings.destinations.find((d) => d.label === i.name)?.key} />
                        <Button size="sm" variant="ghost" onClick={() => setEditing(n)}>Edit</Button>
                        <Button size="sm" variant="ghost" onClick={() => apply({ ...draft, integrations: draft.integrations.filter((_, k) => k !== n) }, `Removal of ${i.name}`)}>Remove</Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <BlockEvents value={draft.notify_blocks} editable={editable} busy={save.isPending} onSave={(v) => apply({ ...draft, notify_blocks: v }, 'Block events')} />
      </div>
      <EmailCard settings={settings} draft={draft} editable={editable} busy={save.isPending} apply={apply} />
      <SmtpCard smtp={settings.smtp} editable={editable} busy={save.isPending} onSave={(smtp) => apply(draft, 'SMTP settings', { smtp })} />
    </>
  );
}

function TestButton({ destination }: { destination: string | undefined }) {
  const test = useSendTest();
  const toast = useToast();
  if (!destination) return null;
  return (
    <Button size="sm" variant="ghost" busy={test.isPending} onClick={() => test.mutate(destination, {
      onSuccess: (r) => toast(r.state === 'sent' ? `Test sent to ${r.label}.` : `Test to ${r.label} failed: ${r.last_error ?? r.state}`, r.state === 'sent' ? 'ok' : 'error'),
      onError: (err) => toast(errorMessage(err), 'error'),
    })}>
      Send a test
    </Button>
  );
}

const EVENT_HELP: Record<NotifyBlockEvent, string> = { added: 'a block is in place', failed: 'a block could not be applied', released: 'someone released a block', expired: 'a block ran out' };

function BlockEvents({ value, editable, busy, onSave }: { value: NotifyBlockEvent[]; editable: boolean; busy: boolean; onSave: (v: NotifyBlockEvent[]) => void }) {
  const [v, setV] = useState(value);
  return (
    <Card title="Block events" hint="To e-mail and integrations">
      <fieldset className="stack" style={{ gap: 8, border: 0, padding: 0, margin: 0 }} disabled={!editable}>
        <legend className="visually-hidden">Block events to tell</legend>
        {NOTIFY_BLOCK_EVENTS.map((k) => (
          <label key={k} className="row" style={{ gap: 8 }}>
            <input type="checkbox" checked={v.includes(k)} onChange={(e) => setV(e.target.checked ? [...v, k] : v.filter((x) => x !== k))} />
            <span><b>{k}</b> <span className="muted small">— {EVENT_HELP[k]}</span></span>
          </label>
        ))}
      </fieldset>
      {editable && <div style={{ marginTop: 12 }}><Button size="sm" busy={busy} disabled={v.join() === value.join()} onClick={() => onSave(v)}>Save block events</Button></div>}
    </Card>
  );
}

function EmailCard({ settings, draft, editable, busy, apply }: { settings: NotificationSettings; draft: Draft; editable: boolean; busy: boolean; apply: Apply }) {
  const [e, setE] = useState(draft.email);
  const [to, setTo] = useState(draft.email.to.join(', '));
  // null: no rule form; -1: a new rule; n: rule n edited in place.
  const [rule, setRule] = useState<number | null>(null);
  const smtp = settings.smtp;
  const emailDest = settings.destinations.find((d) => d.channel === 'email');
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    apply({ ...draft, email: { ...e, to: list(to) } }, 'E-mail settings');
  };
  const saveRule = (r: EmailRuleSettings) => {
    const rules = rule === -1 || rule === null ? [...draft.email_alerts, r] : draft.email_alerts.map((o, k) => (k === rule ? r : o));
    apply({ ...draft, email_alerts: rules }, `${rule === -1 || rule === null ? 'E-mail rule' : 'Changes to the e-mail rule'} to ${r.to.join(', ')}`, { done: () => setRule(null) });
  };
  return (
    <Card title="E-mail" hint="OSSEC's <global> e-mail settings and <email_alerts>"
      actions={<>{e.enabled ? <Badge tone="ok" dot>on</Badge> : <Badge>off</Badge>}{editable && <TestButton destination={emailDest?.key} />}</>}>
      <form onSubmit={submit} className="stack" style={{ gap: 12 }} aria-label="E-mail settings">
        <fieldset disabled={!editable} style={{ border: 0, padding: 0, margin: 0 }} className="stack">
          <label className="row" style={{ gap: 8 }}>
            <input type="checkbox" checked={e.enabled} onChange={(x) => setE({ ...e, enabled: x.target.checked })} /> Send alerts by e-mail (<span className="mono">email_notification</span>)
          </label>
          <div className="grid" style={{ gridTemplateColumns: 'repeat(3, 1fr)', gap: 12 }}>
            <Field label="To" htmlFor="em-to" help="Addresses, comma-separated"><input id="em-to" className="input" value={to} onChange={(x) => setTo(x.target.value)} /></Field>
            <Field label="From" htmlFor="em-from"><input id="em-from" className="input" value={e.from ?? ''} onChange={(x) => setE({ ...e, from: x.target.value || null })} /></Field>
            <Field label="SMTP server" htmlFor="em-smtp" help={`Port ${smtp.port ?? (smtp.tls ? 465 : 25)}${smtp.tls ? ', TLS' : smtp.starttls ? ', STARTTLS' : ''}${smtp.user ? `, as ${smtp.user}` : ''} (SMTP relay below)`}>
              <input id="em-smtp" className="input mono" value={e.smtp_server ?? ''} onChange={(x) => setE({ ...e, smtp_server: x.target.value || null })} />
            </Field>
            <Field label="Minimum level" htmlFor="em-level" help="email_alert_level"><input id="em-level" className="input" type="number" min={0} max={16} value={e.alert_level} onChange={(x) => setE({ ...e, alert_level: Number(x.target.value) })} /></Field>
            <Field label="Mails per hour" htmlFor="em-max" help="Beyond: one digest the next hour"><input id="em-max" className="input" type="number" min={1} value={e.maxperhour} onChange={(x) => setE({ ...e, maxperhour: Number(x.target.value) })} /></Field>
            <Field label="Reply to" htmlFor="em-reply"><input id="em-reply" className="input" value={e.reply_to ?? ''} onChange={(x) => setE({ ...e, reply_to: x.target.value || null })} /></Field>
          </div>
        </fieldset>
        {editable && <div><Button type="submit" variant="primary" busy={busy}>Save e-mail settings</Button></div>}
      </form>
      <div className="stack" style={{ gap: 12, marginTop: 16 }}>
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h3 className="small" style={{ margin: 0 }}>Granular rules (<span className="mono">&lt;email_alerts&gt;</span>)</h3>
          {editable && rule === null && <Button size="sm" onClick={() => setRule(-1)}>Add a rule</Button>}
        </div>
        {rule !== null && (
          <EmailRuleForm key={rule} initial={rule >= 0 ? draft.email_alerts[rule] : undefined} defaultLevel={draft.email.alert_level} busy={busy}
            onCancel={() => setRule(null)} onSave={saveRule} />
        )}
        {draft.email_alerts.length === 0 ? <p className="muted small" style={{ margin: 0 }}>None: alerts go to the addresses above from their minimum level.</p> : (
          <table className="table" aria-label="Granular e-mail alerts">
            <thead><tr><th>To</th><th>Level</th><th>Group</th><th>Location</th><th>Rules</th><th>Format</th>{editable && <th />}</tr></thead>
            <tbody>{draft.email_alerts.map((r, n) => (
              <tr key={n} aria-current={rule === n ? 'true' : undefined}>
                <td>{r.to.join(', ')}</td><td>{r.level ?? `≥ ${draft.email.alert_level}`}</td><td className="mono">{r.group ?? '—'}</td><td className="mono">{r.event_location ?? '—'}</td>
                <td>{r.rule_id.join(', ') || '—'}</td><td>{r.format}{r.do_not_delay ? ', no delay' : ''}{r.do_not_group ? ', not grouped' : ''}</td>
                {editable && (
                  <td className="actions">
                    <Button size="sm" variant="ghost" onClick={() => setRule(n)}>Edit</Button>
                    <Button size="sm" variant="ghost" onClick={() => apply({ ...draft, email_alerts: draft.email_alerts.filter((_, k) => k !== n) }, 'Removal of the e-mail rule')}>Remove</Button>
                  </td>
                )}
              </tr>
            ))}</tbody>
          </table>
        )}
      </div>
    </Card>
  );
}
