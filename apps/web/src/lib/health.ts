// GET /api/health: public, read by the sign-in page (first-run setup) and the overview.
import type { Health } from '@portcullis/shared';
import { useQuery } from '@tanstack/react-query';
import { api } from './api-client';

export const healthKey = ['health'] as const;

export function useHealth(options: { refetchInterval?: number } = {}) {
  return useQuery({ queryKey: healthKey, queryFn: ({ signal }) => api.get<Health>('/api/health', undefined, signal), ...options });
}
