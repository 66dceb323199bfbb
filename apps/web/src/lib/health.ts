// GET /api/health. Anyone gets the status and whether the first admin is still to be made (the
// sign-in page's first-run setup); a signed-in viewer also gets the details — database, ruleset,
// sources and the readiness report (can the config's scripts and log files work) — for the overview.
import type { Health } from '@portcullis/shared';
import { useQuery } from '@tanstack/react-query';
import { api } from './api-client';

export const healthKey = ['health'] as const;
export const healthDetailsKey = ['health', 'details'] as const;

export type HealthDetails = Health & Required<Pick<Health, 'version' | 'uptime_seconds' | 'database' | 'ruleset' | 'sources' | 'readiness'>>;

export function hasDetails(h: Health): h is HealthDetails {
  return h.version !== undefined && h.uptime_seconds !== undefined && h.database !== undefined && h.ruleset !== undefined && h.sources !== undefined && h.readiness !== undefined;
}

/** The public part: status and setup_required. */
export function useHealth(options: { refetchInterval?: number } = {}) {
  return useQuery({ queryKey: healthKey, queryFn: ({ signal }) => api.get<Health>('/api/health', undefined, signal), ...options });
}

/** The details, for a signed-in viewer; null when the server did not give them (signed out meanwhile). */
export function useHealthDetails(options: { refetchInterval?: number } = {}) {
  return useQuery({
    queryKey: healthDetailsKey,
    queryFn: async ({ signal }) => {
      const h = await api.get<Health>('/api/health', undefined, signal);
      return hasDetails(h) ? h : null;
    },
    ...options,
  });
}
