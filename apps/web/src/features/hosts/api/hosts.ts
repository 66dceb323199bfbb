// Registered hosts: GET /api/hosts (everyone signed in; refetched on the live `hosts` event, and every 5 s: staleness and line rates
// move on their own), POST /api/hosts, POST /api/hosts/:name/rotate, DELETE /api/hosts/:name (admin).
import type { Host, HostList, HostSecrets } from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export const hostKeys = { all: ['hosts'] as const };

export const HOSTS_REFRESH_MS = 5000;

export function useHosts() {
  return useQuery({
    queryKey: hostKeys.all,
    queryFn: ({ signal }) => api.get<HostList>('/api/hosts', undefined, signal),
    refetchInterval: HOSTS_REFRESH_MS,
  });
}

function useDone() {
  const qc = useQueryClient();
  return () => void qc.invalidateQueries({ queryKey: hostKeys.all });
}

export function useAddHost() {
  const done = useDone();
  return useMutation({ mutationFn: (name: string) => api.post<HostSecrets>('/api/hosts', { name }), onSuccess: done });
}

export function useRotateHost() {
  const done = useDone();
  return useMutation({ mutationFn: (name: string) => api.post<HostSecrets>(`/api/hosts/${encodeURIComponent(name)}/rotate`, {}), onSuccess: done });
}

export function useRevokeHost() {
  const done = useDone();
  return useMutation({ mutationFn: (name: string) => api.delete<Host>(`/api/hosts/${encodeURIComponent(name)}`), onSuccess: done });
}
