import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { LoginForm } from '@/features/auth/components/login-form';
import { SetupForm } from '@/features/auth/components/setup-form';
import { useSession } from '@/lib/auth';
import { useHealth } from '@/lib/health';
import { usePageTitle } from '@/lib/page-title';
import { Logo } from '@/components/layout/app-shell';
import { ErrorState, Loading } from '@/components/ui/states';

/** Only same-site paths are followed after sign-in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginRoute() {
  const session = useSession();
  const health = useHealth();
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const [created, setCreated] = useState<string | null>(null);
  const next = safeNext(sp.get('next'));
  const setup = health.data?.setup_required === true && !created;
  usePageTitle(setup ? 'First-run setup' : 'Sign in');

  if (session.data?.user) return <Navigate to={next} replace />;

  let body;
  if (session.isPending || health.isPending) body = <Loading label="Connecting to Portcullis…" />;
  else if (session.error && health.error) body = <ErrorState error={session.error} onRetry={() => { void session.refetch(); void health.refetch(); }} />;
  else if (setup) body = <SetupForm onDone={(u) => { setCreated(u); void health.refetch(); }} />;
  else body = <LoginForm notice={created ? `Admin “${created}” created. Sign in to continue.` : sp.get('expired') ? 'Your session ended. Sign in again.' : null} onSignedIn={() => navigate(next, { replace: true })} />;

  return (
    <main className="auth-page">
      <div>
        <div className="auth-card">
          <div className="brand">
            <Logo size={34} />
            <div>
              Portcullis
              <small>{setup ? 'Create the first admin' : 'Sign in to the dashboard'}</small>
            </div>
          </div>
          {body}
        </div>
        <p className="auth-foot">Host intrusion detection with active response</p>
      </div>
    </main>
  );
}
