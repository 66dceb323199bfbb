// Rule and decoder files: list, read, validate a draft, test lines against it, save (applied only
// if the whole ruleset compiles), revisions and rollback.
import type {
  LogtestResponse, RulesetDraft, RulesetFile, RulesetFileContent, RulesetFileSave, RulesetFileSaved, RulesetRevision, RulesetRevisionContent, RulesetValidation,
} from '@portcullis/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export const fileKeys = {
  list: ['ruleset', 'files'] as const,
  file: (path: string) => ['ruleset', 'file', path] as const,
  revisions: (path: string) => ['ruleset', 'revisions', path] as const,
  revision: (id: number) => ['ruleset', 'revision', id] as const,
};

export function useRuleFiles() {
  return useQuery({ queryKey: fileKeys.list, queryFn: ({ signal }) => api.get<{ items: RulesetFile[] }>('/api/ruleset/files', undefined, signal) });
}

export function useRuleFile(path: string | null) {
  return useQuery({
    queryKey: fileKeys.file(path ?? ''),
    queryFn: ({ signal }) => api.get<RulesetFileContent>('/api/ruleset/file', { path }, signal),
    enabled: path !== null,
    staleTime: Infinity,
  });
}

export function validateDraft(draft: RulesetDraft): Promise<RulesetValidation> {
  return api.post<RulesetValidation>('/api/ruleset/validate', draft);
}

export function useTestDraft() {
  return useMutation({ mutationFn: (body: { lines: string[]; draft: RulesetDraft }) => api.post<LogtestResponse>('/api/logtest', { ...body, time: 'now' }) });
}

export function useSaveFile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RulesetFileSave) => api.put<RulesetFileSaved>('/api/ruleset/file', body),
    onSuccess: (_r, body) => {
      void qc.invalidateQueries({ queryKey: ['ruleset'] });
      void qc.invalidateQueries({ queryKey: ['rules'] });
      void qc.invalidateQueries({ queryKey: fileKeys.file(body.path) });
    },
  });
}

export function useRevisions(path: string | null) {
  return useQuery({
    queryKey: fileKeys.revisions(path ?? ''),
    queryFn: ({ signal }) => api.get<{ items: RulesetRevision[] }>('/api/ruleset/revisions', { path }, signal),
    enabled: path !== null,
  });
}

export function fetchRevision(id: number): Promise<RulesetRevisionContent> {
  return api.get<RulesetRevisionContent>(`/api/ruleset/revisions/${id}`);
}

export function useRollback(path: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, message }: { id: number; message: string }) => api.post<RulesetFileSaved>(`/api/ruleset/revisions/${id}/rollback`, { message }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['ruleset'] });
      void qc.invalidateQueries({ queryKey: ['rules'] });
      void qc.invalidateQueries({ queryKey: fileKeys.file(path) });
    },
  });
}
