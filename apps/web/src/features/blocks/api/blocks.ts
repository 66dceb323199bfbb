// Blocks: GET /api/blocks (filters state, ip, command, rule_id, host), GET /api/blocks/:id, manual
// block (POST /api/blocks), release (POST /api/blocks/:id/release), and GET /api/ips/:ip; the
// registered hosts a manual block can target and the list filters by (GET /api/hosts, under the Hosts page's cache key).
import type { Block, BlockCreate, BlockDetail, BlockQuery, BlockRelease, BlockState, HostList, IpTimeline } from '@portcullis/shared';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export const OPEN_STATES: BlockState[] = ['pending', 'active', 'releasing'];
export const CLOSED_STATES: BlockState[] = ['released', 'expired', 'failed', 'refused'];

export type BlockFilters = Partial<Record<'ip' | 'command' | 'rule_id' | 'host', string>>;

export const blockKeys = {
  all: ['blocks'] as const,
  lists: ['blocks', 'list'] as const,
  list: (states: BlockState[], f: BlockFilters) => ['blocks', 'list', states.join(','), f] as const,
  detail: (id: number) => ['blocks', 'detail', id] as const,
  ip: (ip: string) => ['ips', ip] as const,
};

interface BlockPage {
  items: Block[];
  next: string | null;
}

export function useBlocks(states: BlockState[], filters: BlockFilters = {}, opts: { refetchInterval?: number; limit?: number } = {}) {
  return useInfiniteQuery({
    queryKey: blockKeys.list(states, filters),
    queryFn: ({ pageParam, signal }) => {
      const q: BlockQuery = { state: states.join(','), limit: opts.limit ?? 100, cursor: pageParam };
      if (filters.ip) q.ip = filters.ip;
      if (filters.command) q.command = filters.command;
      if (filters.host) q.host = filters.host;
      if (filters.rule_id && /^\d+$/.test(filters.rule_id)) q.rule_id = Number(filters.rule_id);
      return api.get<BlockPage>('/api/blocks', q, signal);
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
    refetchInterval: opts.refetchInterval,
  });
}

export function useBlock(id: number | null) {
  return useQuery({
    queryKey: blockKeys.detail(id ?? 0),
    queryFn: ({ signal }) => api.get<BlockDetail>(`/api/blocks/${id}`, undefined, signal),
    enabled: id !== null,
  });
}

export function useIpTimeline(ip: string) {
  return useQuery({ queryKey: blockKeys.ip(ip), queryFn: ({ signal }) => api.get<IpTimeline>(`/api/ips/${encodeURIComponent(ip)}`, undefined, signal) });
}

function useInvalidateBlocks() {
  const qc = useQueryClient();
  return (b?: Block) => {
    void qc.invalidateQueries({ queryKey: blockKeys.all });
    void qc.invalidateQueries({ queryKey: ['stats'] });
    if (b) void qc.invalidateQueries({ queryKey: blockKeys.ip(b.ip) });
  };
}

export function useReleaseBlock() {
  const done = useInvalidateBlocks();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: BlockRelease }) => api.post<Block>(`/api/blocks/${id}/release`, body),
    onSuccess: (b) => done(b),
  });
}

export function useCreateBlock() {
  const done = useInvalidateBlocks();
  return useMutation({
    mutationFn: (body: BlockCreate) => api.post<Block>('/api/blocks', body),
    onSuccess: (b) => done(b),
  });
}

/** The active registered hosts' names (a manual block's targets); the Hosts page's query key, so both share one cache. */
export function useActiveHostNames() {
  return useQuery({
    queryKey: ['hosts'],
    queryFn: ({ signal }) => api.get<HostList>('/api/hosts', undefined, signal),
    select: (list) => list.items.filter((h) => h.status !== 'revoked').map((h) => h.name),
  });
}

/** Every registered host's name, revoked ones too (their blocks stay in the history): the list's Host filter. */
export function useHostNames() {
  return useQuery({
    queryKey: ['hosts'],
    queryFn: ({ signal }) => api.get<HostList>('/api/hosts', undefined, signal),
    select: (list) => list.items.map((h) => h.name),
  });
}
