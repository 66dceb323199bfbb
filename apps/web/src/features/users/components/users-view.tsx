// Users (role, enabled, password) and API tokens, for admins.
import type { ApiTokenCreated, Role, TokenScope, User } from '@portcullis/shared';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '@/lib/api-client';
import { useUser } from '@/lib/auth';
import { Badge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { Card, Field } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { IconPlus } from '@/components/ui/icons';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Time } from '@/components/ui/time';
import { useToast } from '@/components/ui/toast';
import { useCreateToken, useCreateUser, useDeleteUser, useRevokeToken, useTokens, useUpdateUser, useUsers } from '../api/users';

const ROLES: Role[] = ['viewer', 'responder', 'admin'];
const ROLE_HELP: Record<Role, string> = { viewer: 'sees everything, changes nothing', responder: 'also blocks and releases', admin: 'also edits rules, responses, users' };

export function UsersView() {
  const users = useUsers();
  const me = useUser();
  const update = useUpdateUser();
  const del = useDeleteUser();
  const toast = useToast();
  const [dialog, setDialog] = useState<'user' | 'token' | { password: User } | null>(null);
  const fail = (err: unknown) => toast(errorMessage(err), 'error');
  return (
    <div className="stack">
      <Card title="Users" actions={<Button size="sm" variant="primary" icon={<IconPlus />} onClick={() => setDialog('user')}>Add user</Button>} flush>
        {users.isPending ? <Loading rows={4} /> : users.error ? <ErrorState error={users.error} onRetry={() => void users.refetch()} /> : users.data.items.length === 0 ? <Empty title="No users" /> : (
          <table className="table" aria-label="Users">
            <thead><tr><th>User</th><th>Role</th><th>Status</th><th>Created</th><th /></tr></thead>
            <tbody>
              {users.data.items.map((u) => (
                <tr key={u.id}>
                  <td><b>{u.username}</b>{u.username === me.username && <span className="muted small"> (you)</span>}</td>
                  <td>
                    <select className="select sm" aria-label={`Role of ${u.username}`} value={u.role} disabled={u.username === me.username}
                      onChange={(e) => update.mutate({ id: u.id, body: { role: e.target.value as Role } }, { onSuccess: () => toast(`${u.username} is now ${e.target.value}.`), onError: fail })}>
                      {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                    </select>
                  </td>
                  <td>{u.disabled ? <Badge tone="warn" dot>disabled</Badge> : <Badge tone="ok" dot>active</Badge>}</td>
                  <td><Time iso={u.created_at} /></td>
                  <td className="actions">
                    <div className="row" style={{ justifyContent: 'flex-end' }}>
                      <Button size="sm" onClick={() => setDialog({ password: u })}>Set password</Button>
                      {u.username !== me.username && (
                        <>
                          <Button size="sm" onClick={() => update.mutate({ id: u.id, body: { disabled: !u.disabled } }, { onError: fail })}>{u.disabled ? 'Enable' : 'Disable'}</Button>
                          <Button size="sm" variant="ghost" onClick={() => window.confirm(`Delete ${u.username}? Their sessions end at once.`) && del.mutate(u.id, { onSuccess: () => toast(`${u.username} deleted.`), onError: fail })}>Delete</Button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Tokens onNew={() => setDialog('token')} />
      {dialog === 'user' && <NewUser onClose={() => setDialog(null)} />}
      {dialog === 'token' && <NewToken onClose={() => setDialog(null)} />}
      {dialog && typeof dialog === 'object' && <SetPassword user={dialog.password} onClose={() => setDialog(null)} />}
    </div>
  );
}

function Tokens({ onNew }: { onNew: () => void }) {
  const q = useTokens();
  const revoke = useRevokeToken();
  const toast = useToast();
  return (
    <Card title="API tokens" hint="for log shippers (ingest) and scripts" actions={<Button size="sm" icon={<IconPlus />} onClick={onNew}>New token</Button>} flush>
      {q.isPending ? <Loading rows={3} /> : q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.data.items.length === 0 ? <Empty title="No API tokens">Create one to send logs over HTTP or to script the API.</Empty> : (
        <table className="table" aria-label="API tokens">
          <thead><tr><th>Name</th><th>Scope</th><th>Created</th><th>Last used</th><th /></tr></thead>
          <tbody>
            {q.data.items.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td><Badge>{t.scope}</Badge></td>
                <td><Time iso={t.created_at} />{t.created_by && <span className="muted small"> by {t.created_by}</span>}</td>
                <td>{t.last_used_at ? <Time iso={t.last_used_at} relative /> : <span className="muted">never</span>}</td>
                <td className="actions">{t.revoked ? <Badge tone="warn">revoked</Badge> : <Button size="sm" variant="ghost" onClick={() => revoke.mutate(t.id, { onSuccess: () => toast(`Token “${t.name}” revoked.`) })}>Revoke</Button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function NewUser({ onClose }: { onClose: () => void }) {
  const create = useCreateUser();
  const toast = useToast();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ username, password, role }, { onSuccess: (u) => { toast(`${u.username} can sign in now.`); onClose(); } });
  };
  return (
    <Dialog title="Add a user" onClose={onClose}>
      <form onSubmit={submit} style={{ display: 'contents' }}>
        {create.error && <div className="banner danger" role="alert">{errorMessage(create.error)}</div>}
        <Field label="Username" htmlFor="nu-name"><input id="nu-name" className="input" required value={username} onChange={(e) => setUsername(e.target.value)} data-autofocus /></Field>
        <Field label="Password" htmlFor="nu-pass" help="At least 10 characters."><input id="nu-pass" className="input" type="password" autoComplete="new-password" minLength={10} required value={password} onChange={(e) => setPassword(e.target.value)} /></Field>
        <Field label="Role" htmlFor="nu-role" help={ROLE_HELP[role]}>
          <select id="nu-role" className="select" value={role} onChange={(e) => setRole(e.target.value as Role)}>{ROLES.map((r) => <option key={r} value={r}>{r}</option>)}</select>
        </Field>
        <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>Add user</Button>
        </div>
      </form>
    </Dialog>
  );
}

function SetPassword({ user, onClose }: { user: User; onClose: () => void }) {
  const update = useUpdateUser();
  const toast = useToast();
  const [password, setPassword] = useState('');
  return (
    <Dialog title={`New password for ${user.username}`} description="Their other sessions end." onClose={onClose}>
      <form onSubmit={(e) => { e.preventDefault(); update.mutate({ id: user.id, body: { password } }, { onSuccess: () => { toast('Password changed.'); onClose(); } }); }} style={{ display: 'contents' }}>
        {update.error && <div className="banner danger" role="alert">{errorMessage(update.error)}</div>}
        <Field label="Password" htmlFor="sp-pass" help="At least 10 characters."><input id="sp-pass" className="input" type="password" autoComplete="new-password" minLength={10} required value={password} onChange={(e) => setPassword(e.target.value)} data-autofocus /></Field>
        <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={update.isPending}>Change password</Button>
        </div>
      </form>
    </Dialog>
  );
}

function NewToken({ onClose }: { onClose: () => void }) {
  const create = useCreateToken();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TokenScope>('ingest');
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  return (
    <Dialog title={created ? 'Token created' : 'New API token'} onClose={onClose}>
      {created ? (
        <>
          <div className="banner warn">Copy it now: it is shown only once.</div>
          <pre className="log" aria-label="Token">{created.token}</pre>
          <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}><Button variant="primary" onClick={onClose}>Done</Button></div>
        </>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); create.mutate({ name, scope }, { onSuccess: setCreated }); }} style={{ display: 'contents' }}>
          {create.error && <div className="banner danger" role="alert">{errorMessage(create.error)}</div>}
          <Field label="Name" htmlFor="tk-name"><input id="tk-name" className="input" required value={name} onChange={(e) => setName(e.target.value)} data-autofocus placeholder="e.g. rsyslog on web01" /></Field>
          <Field label="Scope" htmlFor="tk-scope" help="ingest: may only send logs to POST /api/ingest.">
            <select id="tk-scope" className="select" value={scope} onChange={(e) => setScope(e.target.value as TokenScope)}>
              {(['ingest', 'viewer', 'responder', 'admin'] as TokenScope[]).map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </Field>
          <div className="dialog-foot" style={{ margin: '0 -20px -16px' }}>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" busy={create.isPending}>Create token</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
