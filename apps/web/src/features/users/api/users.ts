// Users and API tokens (admins): /api/users, /api/tokens.
import type { ApiToken, ApiTokenCreate, ApiTokenCreated, User, UserCreate, UserUpdate } from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export function useUsers() {
  return useQuery({ queryKey: ['users'], queryFn: ({ signal }) => api.get<{ items: User[] }>('/api/users', undefined, signal) });
}

export function useTokens() {
  return useQuery({ queryKey: ['tokens'], queryFn: ({ signal }) => api.get<{ items: ApiToken[] }>('/api/tokens', undefined, signal) });
}

function useDone(key: string) {
  const qc = useQueryClient();
  return () => void qc.invalidateQueries({ queryKey: [key] });
}

export function useCreateUser() {
  const done = useDone('users');
  return useMutation({ mutationFn: (b: UserCreate) => api.post<User>('/api/users', b), onSuccess: done });
}

export function useUpdateUser() {
  const done = useDone('users');
  return useMutation({ mutationFn: ({ id, body }: { id: number; body: UserUpdate }) => api.patch<User>(`/api/users/${id}`, body), onSuccess: done });
}

export function useDeleteUser() {
  const done = useDone('users');
  return useMutation({ mutationFn: (id: number) => api.delete<{ ok: boolean }>(`/api/users/${id}`), onSuccess: done });
}

export function useCreateToken() {
  const done = useDone('tokens');
  return useMutation({ mutationFn: (b: ApiTokenCreate) => api.post<ApiTokenCreated>('/api/tokens', b), onSuccess: done });
}

export function useRevokeToken() {
  const done = useDone('tokens');
  return useMutation({ mutationFn: (id: number) => api.delete<{ ok: boolean }>(`/api/tokens/${id}`), onSuccess: done });
}
