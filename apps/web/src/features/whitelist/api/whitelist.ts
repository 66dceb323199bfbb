// The white list: GET/POST /api/whitelist, DELETE /api/whitelist/:id.
import type { WhitelistCreate, WhitelistEntry } from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

const key = ['whitelist'] as const;

export function useWhitelist() {
  return useQuery({ queryKey: key, queryFn: ({ signal }) => api.get<{ items: WhitelistEntry[] }>('/api/whitelist', undefined, signal) });
}

export function useAddWhitelist() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (b: WhitelistCreate) => api.post<WhitelistEntry>('/api/whitelist', b), onSuccess: () => void qc.invalidateQueries({ queryKey: key }) });
}

export function useRemoveWhitelist() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (id: number) => api.delete<{ ok: boolean }>(`/api/whitelist/${id}`), onSuccess: () => void qc.invalidateQueries({ queryKey: key }) });
}
