// Fan-out of committed alerts to live clients. Each client has a filter and a buffer capped per
// interval: a flood is sent as at most `maxPerInterval` alerts per `intervalMs` (the first ones of
// the interval; the rest are counted and the count is sent), so a browser is never flooded and
// memory stays bounded. A quiet feed is pushed at once; a busy one at most once per interval.
import type { Alert, LiveAlertBatch, LiveFilter } from '@portcullis/shared';
import { recordToAlert } from '../alerts/alerts.repository.js';
import type { AlertConsumer, PersistedAlert } from '../../pipeline/pipeline.js';

export interface LiveClient {
  readonly id: string;
  /** Delivers one batch; returns false when the client cannot take more now (it counts as skipped). */
  send(batch: LiveAlertBatch): boolean;
}

interface ClientState {
  client: LiveClient;
  filter: LiveFilter;
  buffer: Alert[];
  skipped: number;
}

export function matches(filter: LiveFilter, a: PersistedAlert): boolean {
  const r = a.record;
  if (filter.level_min !== undefined && r.level < filter.level_min) return false;
  if (filter.rule_id !== undefined && filter.rule_id.length > 0 && !filter.rule_id.includes(r.ruleId)) return false;
  if (filter.srcip !== undefined && r.srcip !== filter.srcip) return false;
  if (filter.location !== undefined && r.location !== filter.location) return false;
  return true;
}

export class LiveHub {
  readonly #clients = new Map<string, ClientState>();
  readonly #intervalMs: number;
  readonly #max: number;
  #timer: NodeJS.Timeout | null = null;
  #lastFlush = 0;
  /** Alerts pushed and skipped since start, for /metrics. */
  sent = 0;
  skipped = 0;

  constructor(options: { intervalMs: number; maxPerInterval: number }) {
    this.#intervalMs = options.intervalMs;
    this.#max = options.maxPerInterval;
  }

  add(client: LiveClient, filter: LiveFilter = {}): void {
    this.#clients.set(client.id, { client, filter, buffer: [], skipped: 0 });
  }

  remove(id: string): void {
    this.#clients.delete(id);
  }

  setFilter(id: string, filter: LiveFilter): void {
    const st = this.#clients.get(id);
    if (st) st.filter = filter;
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Alerts buffered for clients, not yet sent. */
  depth(): number {
    let n = 0;
    for (const st of this.#clients.values()) n += st.buffer.length;
    return n;
  }

  readonly consumer: AlertConsumer = (alerts) => {
    if (this.#clients.size === 0) return;
    // Converted once per batch, shared by every client it is sent to.
    const shaped = new Map<number, Alert>();
    let any = false;
    for (const st of this.#clients.values()) {
      for (const a of alerts) {
        if (!matches(st.filter, a)) continue;
        any = true;
        if (st.buffer.length >= this.#max) {
          st.skipped++;
          continue;
        }
        let alert = shaped.get(a.id);
        if (!alert) shaped.set(a.id, (alert = recordToAlert(a.id, a.record)));
        st.buffer.push(alert);
      }
    }
    if (any) this.#schedule();
  };

  /** Flushes now if the last flush is an interval old, else once it is. */
  #schedule(): void {
    if (this.#timer) return;
    const wait = this.#lastFlush + this.#intervalMs - Date.now();
    if (wait <= 0) return this.flush();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush();
    }, wait);
  }

  /** Sends each client what it has buffered. */
  flush(): void {
    this.#lastFlush = Date.now();
    for (const st of this.#clients.values()) {
      if (st.buffer.length === 0 && st.skipped === 0) continue;
      const batch: LiveAlertBatch = { items: st.buffer, skipped: st.skipped };
      st.buffer = [];
      st.skipped = 0;
      if (st.client.send(batch)) {
        this.sent += batch.items.length;
        this.skipped += batch.skipped;
      } else {
        // The client's connection is backed up: drop the batch, tell it next time.
        st.skipped += batch.items.length + batch.skipped;
        this.#schedule();
      }
    }
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#clients.clear();
  }
}
