// POST /api/logtest: the three phases for each line and the replay for the whole paste.
import type { LogtestRequest, LogtestResponse, RulesetFileContent } from '@portcullis/shared';
import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export function useLogtest() {
  return useMutation({ mutationFn: (body: LogtestRequest) => api.post<LogtestResponse>('/api/logtest', body) });
}

/** The saved text of a rule or decoder file, to start a draft from. */
export function fetchRuleFile(path: string): Promise<RulesetFileContent> {
  return api.get<RulesetFileContent>('/api/ruleset/file', { path });
}
