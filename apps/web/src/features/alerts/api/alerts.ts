// GET /api/alerts (newest first, keyset pages), GET /api/alerts/:id, and the rule chain shown in
// the detail drawer (GET /api/rules/:id).
import type { Alert, AlertPage, AlertQuery, RuleDetail } from '@portcullis/shared';
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** The filters as they sit in the URL (strings); see `toQuery` for what the API gets. */
export const FILTER_KEYS = ['level_min', 'rule_id', 'group', 'srcip', 'host', 'hostname', 'location', 'q', 'range', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type AlertFilters = Partial<Record<FilterKey, string>>;

export const RANGES: Record<string, { label: string; seconds: number | null }> = {
  '': { label: 'Any time', seconds: null },
  '15m': { label: 'Last 15 minutes', seconds: 900 },
  '1h': { label: 'Last hour', seconds: 3600 },
  '24h': { label: 'Last 24 hours', seconds: 86_400 },
  '7d': { label: 'Last 7 days', seconds: 7 * 86_400 },
  custom: { label: 'Custom range', seconds: null },
};

export const PAGE_SIZE = 200;

export const alertKeys = {
  all: ['alerts'] as const,
  list: (f: AlertFilters) => ['alerts', 'list', f] as const,
  live: (f: AlertFilters) => ['alerts', 'live', f] as const,
  detail: (id: number) => ['alerts', 'detail', id] as const,
};

function int(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function isoOrUndefined(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** URL filters to API query parameters; relative ranges are resolved at the time of the call. */
export function toQuery(f: AlertFilters, now = Date.now()): Omit<AlertQuery, 'limit' | 'cursor'> {
  const range = f.range ?? '';
  const rel = RANGES[range]?.seconds ?? null;
  return {
    level_min: int(f.level_min),
    rule_id: int(f.rule_id),
    group: f.group || undefined,
    srcip: f.srcip || undefined,
    host: f.host || undefined,
    hostname: f.hostname || undefined,
    location: f.location || undefined,
    q: f.q || undefined,
    from: rel !== null ? new Date(now - rel * 1000).toISOString() : range === 'custom' ? isoOrUndefined(f.from) : undefined,
    to: range === 'custom' ? isoOrUndefined(f.to) : undefined,
  };
}

export function useAlertPages(filters: AlertFilters) {
  return useInfiniteQuery({
    queryKey: alertKeys.list(filters),
    queryFn: ({ pageParam, signal }) => api.get<AlertPage>('/api/alerts', { ...toQuery(filters), limit: PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
    staleTime: 0,
  });
}

export function useAlert(id: number | null) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: alertKeys.detail(id ?? 0),
    queryFn: ({ signal }) => api.get<Alert>(`/api/alerts/${id}`, undefined, signal),
    enabled: id !== null,
    // An alert never changes: whatever list already holds it is good enough to show at once.
    initialData: () => {
      if (id === null) return undefined;
      for (const [, data] of qc.getQueriesData<InfiniteData<AlertPage> | { items: Alert[] }>({ queryKey: alertKeys.all })) {
        if (!data) continue;
        const lists = 'pages' in data ? data.pages.map((p) => p.items) : 'items' in data ? [data.items] : [];
        for (const items of lists) {
          const hit = items.find((a) => a.id === id);
          if (hit) return hit;
        }
      }
      return undefined;
    },
    staleTime: Infinity,
  });
}

export function useRuleChain(ruleId: number | null) {
  return useQuery({
    queryKey: ['rules', 'detail', ruleId],
    queryFn: ({ signal }) => api.get<RuleDetail>(`/api/rules/${ruleId}`, undefined, signal),
    enabled: ruleId !== null,
    staleTime: 60_000,
  });
}
