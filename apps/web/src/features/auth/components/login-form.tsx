import { useState, type FormEvent } from 'react';
import { ApiError } from '@/lib/api-client';
import { useLogin } from '@/lib/auth';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/card';

export function LoginForm({ onSignedIn, notice }: { onSignedIn: () => void; notice?: string | null }) {
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ username, password }, { onSuccess: onSignedIn });
  };
  const err = login.error;
  const message = err instanceof ApiError
    ? err.status === 401 ? 'Wrong username or password.' : err.message
    : err ? String(err) : null;
  return (
    <form onSubmit={submit} aria-label="Sign in">
      {notice && !message && <div className="banner ok">{notice}</div>}
      {message && <div className="banner danger" role="alert">{message}</div>}
      <Field label="Username" htmlFor="username">
        <input id="username" className="input" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
      </Field>
      <Field label="Password" htmlFor="password">
        <input id="password" className="input" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </Field>
      <Button type="submit" variant="primary" busy={login.isPending}>
        Sign in
      </Button>
    </form>
  );
}
