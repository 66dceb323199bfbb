// GET /api/audit (admins): every state change, newest first, filtered by action and actor.
import type { AuditEntry, AuditQuery } from '@portcullis/shared';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

type AuditPage = { items: AuditEntry[]; next: string | null };
export type AuditFilters = Pick<AuditQuery, 'action' | 'actor'>;

export function fetchAuditPage(f: AuditFilters, cursor?: string, limit = 100, signal?: AbortSignal): Promise<AuditPage> {
  return api.get<AuditPage>('/api/audit', { ...f, limit, cursor }, signal);
}

export function useAudit(f: AuditFilters) {
  return useInfiniteQuery({
    queryKey: ['audit', f],
    queryFn: ({ pageParam, signal }) => fetchAuditPage(f, pageParam, 100, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
}
