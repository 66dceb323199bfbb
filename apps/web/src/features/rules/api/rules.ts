// The rule tree (GET /api/rules), one rule (GET /api/rules/:id) and its override
// (PUT/DELETE /api/rules/:id/override).
import type { RuleDetail, RuleList, RuleOverride, RuleOverrideSet } from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export const ruleKeys = {
  all: ['rules'] as const,
  list: ['rules', 'list'] as const,
  detail: (id: number) => ['rules', 'detail', id] as const,
};

export function useRules() {
  return useQuery({ queryKey: ruleKeys.list, queryFn: ({ signal }) => api.get<RuleList>('/api/rules', undefined, signal), staleTime: 60_000 });
}

export function useRule(id: number | null) {
  return useQuery({
    queryKey: ruleKeys.detail(id ?? 0),
    queryFn: ({ signal }) => api.get<RuleDetail>(`/api/rules/${id}`, undefined, signal),
    enabled: id !== null,
  });
}

export function useSetOverride(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RuleOverrideSet) => api.put<RuleOverride>(`/api/rules/${id}/override`, body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ruleKeys.all }),
  });
}

export function useDeleteOverride(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<{ ok: boolean }>(`/api/rules/${id}/override`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ruleKeys.all }),
  });
}
