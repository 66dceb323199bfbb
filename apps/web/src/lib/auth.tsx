// Who is signed in, with which role, and the sign-in, sign-out and first-run setup calls.
// The session answer carries the CSRF token the API client sends back.
//
// The session query is never removed from the cache: components above the router (the live
// socket's provider) observe it for the whole life of the page, and an observer of a removed query
// is not told about its replacement, so it would keep the old answer (signed out) for ever.
import type { LoginBody, Role, SessionInfo, SetupBody, User } from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient, type Query, type QueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './api-client';

export const sessionKey = ['session'] as const;

export const SIGNED_OUT: SessionInfo = { user: null, csrf_token: null, expires_at: null };

const isSessionQuery = (q: Query) => q.queryKey[0] === sessionKey[0];
const notSession = { predicate: (q: Query) => !isSessionQuery(q) };

/** Which session an answer is: null when nobody is signed in. A new sign-in is a new identity. */
export function sessionIdentity(info: SessionInfo | undefined): string | null {
  return info?.user ? `${info.user.username}\n${info.user.role}\n${info.csrf_token ?? ''}` : null;
}

const sameUser = (a: SessionInfo['user'] | undefined, b: SessionInfo['user'] | undefined) =>
  (a ?? null) === (b ?? null) || (!!a && !!b && a.username === b.username && a.role === b.role);

/**
 * When `next` is not the user the cache was filled for, forgets everything else that was fetched.
 * Queries nobody shows are dropped; those on screen are reset in place (their observers stay bound)
 * and fetched again as the new user, if there is one.
 */
function forgetOtherUser(qc: QueryClient, next: SessionInfo): void {
  const prev = qc.getQueryData<SessionInfo>(sessionKey);
  if (prev === undefined || sameUser(prev.user, next.user)) return;
  qc.getMutationCache().clear();
  qc.removeQueries({ predicate: (q) => !isSessionQuery(q) && q.getObserversCount() === 0 });
  for (const q of qc.getQueryCache().findAll(notSession)) q.reset();
  if (next.user) void qc.refetchQueries({ ...notSession, type: 'active' });
}

/** Makes `info` the session everybody sees (sign-in, sign-out, a session found to have ended). */
export function setSession(qc: QueryClient, info: SessionInfo): void {
  setCsrfToken(info.csrf_token);
  forgetOtherUser(qc, info);
  qc.setQueryData(sessionKey, info);
}

export async function getSession(): Promise<SessionInfo> {
  const info = await api.get<SessionInfo>('/api/session');
  setCsrfToken(info.csrf_token);
  return info;
}

export function useSession() {
  const qc = useQueryClient();
  return useQuery({
    queryKey: sessionKey,
    // A re-check may find another user (signed in from another tab of this browser).
    queryFn: async () => {
      const info = await getSession();
      forgetOtherUser(qc, info);
      return info;
    },
    staleTime: 60_000,
  });
}

/** The signed-in user; only call below the sign-in guard. */
export function useUser(): { username: string; role: Role } {
  const { data } = useSession();
  return data?.user ?? { username: '', role: 'viewer' };
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginBody) => api.post<SessionInfo>('/api/session', body),
    onSuccess: (info) => setSession(qc, info),
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<{ ok: boolean }>('/api/session'),
    onSettled: () => setSession(qc, SIGNED_OUT),
  });
}

export function useSetup() {
  return useMutation({ mutationFn: (body: SetupBody) => api.post<User>('/api/setup', body) });
}
