// GET /api/health. Anyone gets the status and whether the first admin is still to be made (the
// sign-in page's first-run setup); a signed-in viewer also gets the details — database, ruleset,
// sources and the readiness report (can the config's scripts and log files work) — for the overview.
import type { Health } from '@portcullis/shared';
import { useQuery } from '@tanstack/react-query';
import { api, ApiError } from './api-client';

export const healthKey = ['health'] as const;
export const healthDetailsKey = ['health', 'details'] as const;

export type HealthDetails = Health & Required<Pick<Health, 'version' | 'uptime_seconds' | 'database' | 'ruleset' | 'sources' | 'readiness'>>;

export function hasDetails(h: Health): h is HealthDetails {
  return h.version !== undefined && h.uptime_seconds !== undefined && h.database !== undefined && h.ruleset !== undefined && h.sources !== undefined && h.readiness !== undefined;
}

/** The server answers 503 with the same body when its database cannot be written (a full disk): still an answer. */
async function getHealth(signal: AbortSignal): Promise<Health> {
  try {
    return await api.get<Health>('/api/health', undefined, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 503 && typeof err.body === 'object' && err.body !== null && 'status' in err.body) return err.body as Health;
    throw err;
  }
}

/** The public part: status and setup_required. */
export function useHealth(options: { refetchInterval?: number } = {}) {
  return useQuery({ queryKey: healthKey, queryFn: ({ signal }) => getHealth(signal), ...options });
}

/** The details, for a signed-in viewer; null when the server did not give them (signed out meanwhile). */
export function useHealthDetails(options: { refetchInterval?: number } = {}) {
  return useQuery({
    queryKey: healthDetailsKey,
    queryFn: async ({ signal }) => {
      const h = await getHealth(signal);
      return hasDetails(h) ? h : null;
    },
    ...options,
  });
}
