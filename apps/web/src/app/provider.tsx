// Everything the pages share: the query cache, the live socket (while signed in), toasts, and the
// reaction to a session that ended (any 401 sends the user to the sign-in page).
import type { SessionInfo } from '@portcullis/shared';
import { QueryClientProvider, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { setUnauthenticatedHandler } from '@/lib/api-client';
import { sessionKey, useSession } from '@/lib/auth';
import { SocketProvider } from '@/lib/socket';
import { ToastProvider } from '@/components/ui/toast';

function LiveWhenSignedIn({ children }: { children: ReactNode }) {
  const session = useSession();
  const qc = useQueryClient();
  // A refused live socket means the session may have ended: ask again (the sign-in guard follows).
  const recheck = () => void qc.invalidateQueries({ queryKey: sessionKey });
  return <SocketProvider enabled={Boolean(session.data?.user)} onRefused={recheck}>{children}</SocketProvider>;
}

export function AppProvider({ client, children }: { client: QueryClient; children: ReactNode }) {
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      const cur = client.getQueryData<SessionInfo>(sessionKey);
      if (cur?.user) client.setQueryData<SessionInfo>(sessionKey, { user: null, csrf_token: null, expires_at: null });
    });
    return () => setUnauthenticatedHandler(null);
  }, [client]);
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>
        <LiveWhenSignedIn>{children}</LiveWhenSignedIn>
      </ToastProvider>
    </QueryClientProvider>
  );
}
