// Who is signed in, with which role, and the sign-in, sign-out and first-run setup calls.
// The session answer carries the CSRF token the API client sends back.
import type { LoginBody, Role, SessionInfo, SetupBody, User } from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './api-client';

export const sessionKey = ['session'] as const;

export async function getSession(): Promise<SessionInfo> {
  const info = await api.get<SessionInfo>('/api/session');
  setCsrfToken(info.csrf_token);
  return info;
}

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: getSession, staleTime: 60_000 });
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
    onSuccess: (info) => {
      setCsrfToken(info.csrf_token);
      qc.clear();
      qc.setQueryData(sessionKey, info);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<{ ok: boolean }>('/api/session'),
    onSettled: () => {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(sessionKey, { user: null, csrf_token: null, expires_at: null } satisfies SessionInfo);
    },
  });
}

export function useSetup() {
  return useMutation({ mutationFn: (body: SetupBody) => api.post<User>('/api/setup', body) });
}
