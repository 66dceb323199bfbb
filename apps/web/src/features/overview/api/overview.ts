// GET /api/stats and GET /api/sources for the overview (health comes from lib/health).
import type { SourceList, Stats } from '@portcullis/shared';
import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export const OVERVIEW_RANGES = {
  '1h': { label: '1 hour', seconds: 3600, bucket: 60 },
  '24h': { label: '24 hours', seconds: 86_400, bucket: 1800 },
  '7d': { label: '7 days', seconds: 7 * 86_400, bucket: 3 * 3600 },
} as const;
export type OverviewRange = keyof typeof OVERVIEW_RANGES;

export const statsKey = (range: OverviewRange) => ['stats', range] as const;

export function useStats(range: OverviewRange) {
  const r = OVERVIEW_RANGES[range];
  return useQuery({
    queryKey: statsKey(range),
    queryFn: ({ signal }) => {
      const to = Date.now();
      // Bucket-aligned bounds so the chart's bars do not shift with every refresh.
      const end = Math.ceil(to / (r.bucket * 1000)) * r.bucket * 1000;
      return api.get<Stats>('/api/stats', { from: new Date(end - r.seconds * 1000).toISOString(), to: new Date(end).toISOString(), bucket: r.bucket, top: 8 }, signal);
    },
    refetchInterval: 60_000,
    placeholderData: (prev) => prev,
  });
}

export function useSources() {
  return useQuery({ queryKey: ['sources'], queryFn: ({ signal }) => api.get<SourceList>('/api/sources', undefined, signal), refetchInterval: 30_000 });
}
