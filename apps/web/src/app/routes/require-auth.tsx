import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '@/lib/auth';
import { ErrorState, Loading } from '@/components/ui/states';

/** Everything but the sign-in page needs a session. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <div className="auth-page"><div className="auth-card"><Loading label="Checking your session…" /></div></div>;
  if (session.error)
    return (
      <div className="auth-page">
        <div className="auth-card">
          <ErrorState error={session.error} onRetry={() => void session.refetch()} />
        </div>
      </div>
    );
  if (!session.data?.user) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}
