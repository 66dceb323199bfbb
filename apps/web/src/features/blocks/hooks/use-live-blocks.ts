// Block changes pushed over socket.io go into the query cache: a known block is replaced in every
// cached list at once; a new one makes the lists fetch again. Changes made while the socket was
// away are not replayed, so every (re)connect fetches the lists again.
import type { Block, LiveBlockChange } from '@portcullis/shared';
import { useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useOnReconnect, useSocketEvent } from '@/lib/socket';
import { blockKeys } from '../api/blocks';

type Pages = InfiniteData<{ items: Block[]; next: string | null }>;

export function useLiveBlocks() {
  const qc = useQueryClient();
  useOnReconnect(() => {
    void qc.invalidateQueries({ queryKey: blockKeys.all });
    void qc.invalidateQueries({ queryKey: ['ips'] });
  });
  useSocketEvent('block', ({ block }: LiveBlockChange) => {
    let known = false;
    for (const [key, data] of qc.getQueriesData<Pages>({ queryKey: blockKeys.lists })) {
      if (!data) continue;
      let hit = false;
      const pages = data.pages.map((p) => ({ ...p, items: p.items.map((b) => (b.id === block.id ? ((hit = true), block) : b)) }));
      if (hit) {
        known = true;
        qc.setQueryData<Pages>(key, { ...data, pages });
      }
    }
    // A new block, or one that moved between the active and history lists.
    if (!known || block.state !== 'active') void qc.invalidateQueries({ queryKey: blockKeys.lists });
    void qc.invalidateQueries({ queryKey: blockKeys.detail(block.id) });
    void qc.invalidateQueries({ queryKey: blockKeys.ip(block.ip) });
  });
}
