import { useState, type FormEvent } from 'react';
import { errorMessage } from '@/lib/api-client';
import { useSetup } from '@/lib/auth';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/card';

/** First run: no account exists yet; the server printed a one-time setup token in its log. */
export function SetupForm({ onDone }: { onDone: (username: string) => void }) {
  const setup = useSetup();
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const tooShort = password.length > 0 && password.length < 10;
  const mismatch = confirm.length > 0 && confirm !== password;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (tooShort || mismatch) return;
    setup.mutate({ token: token.trim(), username, password }, { onSuccess: (u) => onDone(u.username) });
  };
  return (
    <form onSubmit={submit} aria-label="Create the first admin">
      <div className="banner info">
        <span>
          <b>First run.</b> No account exists yet. Enter the one-time setup token printed in the server's log when it started, and choose the
          first admin's name and password.
        </span>
      </div>
      {setup.error && <div className="banner danger" role="alert">{errorMessage(setup.error)}</div>}
      <Field label="Setup token" htmlFor="setup-token">
        <input id="setup-token" className="input mono" required autoFocus value={token} onChange={(e) => setToken(e.target.value)} placeholder="setup_…" />
      </Field>
      <Field label="Admin username" htmlFor="setup-user">
        <input id="setup-user" className="input" required autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
      </Field>
      <Field label="Password" htmlFor="setup-pass" help="At least 10 characters." error={tooShort ? 'At least 10 characters.' : undefined}>
        <input id="setup-pass" className="input" type="password" required autoComplete="new-password" value={password} aria-invalid={tooShort} onChange={(e) => setPassword(e.target.value)} />
      </Field>
      <Field label="Repeat password" htmlFor="setup-confirm" error={mismatch ? 'The passwords differ.' : undefined}>
        <input id="setup-confirm" className="input" type="password" required autoComplete="new-password" value={confirm} aria-invalid={mismatch} onChange={(e) => setConfirm(e.target.value)} />
      </Field>
      <Button type="submit" variant="primary" busy={setup.isPending} disabled={tooShort || mismatch}>
        Create admin
      </Button>
    </form>
  );
}
