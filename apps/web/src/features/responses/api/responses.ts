// The <command> and <active-response> blocks: GET /api/responses, POST /api/responses/validate,
// PUT /api/responses (applied only when valid).
import type { ResponseConfig, ResponseSave, ResponseValidation } from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export const responsesKey = ['responses'] as const;

export function useResponses() {
  return useQuery({ queryKey: responsesKey, queryFn: ({ signal }) => api.get<ResponseConfig>('/api/responses', undefined, signal), staleTime: Infinity });
}

export function validateResponses(xml: string): Promise<ResponseValidation> {
  return api.post<ResponseValidation>('/api/responses/validate', { xml });
}

export function useSaveResponses() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ResponseSave) => api.put<ResponseConfig>('/api/responses', body),
    onSuccess: (cfg) => {
      qc.setQueryData(responsesKey, cfg);
      void qc.invalidateQueries({ queryKey: ['rules'] });
    },
  });
}
