// Everything the pages share: the query cache, the live socket (while signed in) and the cache
// updates it drives, toasts, and the reaction to a session that ended (any 401 sends the user to
// the sign-in page).
import type { SessionInfo } from '@portcullis/shared';
import { QueryClientProvider, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { setUnauthenticatedHandler } from '@/lib/api-client';
import { SIGNED_OUT, sessionIdentity, sessionKey, setSession, useSession } from '@/lib/auth';
import { SocketProvider } from '@/lib/socket';
import { useLiveBlocks } from '@/features/blocks/hooks/use-live-blocks';
import { useLiveStats } from '@/features/overview/hooks/use-live-stats';
import { ToastProvider } from '@/components/ui/toast';

/**
 * Live events keep the cache current whatever page is shown, not only while the page that shows
 * their data is: a block made while the Alerts page is open is in the Blocks list on arrival there,
 * not after the list's next poll.
 */
function LiveCache() {
  useLiveBlocks();
  useLiveStats();
  return null;
}

/** The live socket follows the session: one socket per signed-in session, none when signed out. */
function LiveWhenSignedIn({ children }: { children: ReactNode }) {
  const session = useSession();
  const qc = useQueryClient();
  // A refused live socket means the session may have ended: ask again (the sign-in guard follows).
  const recheck = () => void qc.invalidateQueries({ queryKey: sessionKey });
  // Back after losing the server: ask who is signed in (the server may have restarted, the session
  // may belong to someone else now) and mark every cached answer stale, so it is fetched again when
  // next shown. Pages on screen refetch what the missed live events changed themselves
  // (useOnReconnect): a paused Alerts list must not be refilled behind the user's back.
  const reconnected = () => {
    recheck();
    void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0], refetchType: 'none' });
  };
  return (
    <SocketProvider session={sessionIdentity(session.data)} onRefused={recheck} onReconnect={reconnected}>
      <LiveCache />
      {children}
    </SocketProvider>
  );
}

export function AppProvider({ client, children }: { client: QueryClient; children: ReactNode }) {
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      const cur = client.getQueryData<SessionInfo>(sessionKey);
      if (cur?.user) setSession(client, SIGNED_OUT);
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
