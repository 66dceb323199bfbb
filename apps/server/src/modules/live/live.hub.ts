// Fan-out of committed alerts to live clients. Each client has a filter and a buffer capped per
// interval: a flood is sent as at most `maxPerInterval` alerts per `intervalMs`, newest kept out,
// with the count of those skipped, so a browser is never flooded and memory stays bounded.
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
  /** Alerts pushed and skipped since start, for /metrics. */
  sent = 0;
  skipped = 0;

  constructor(options: { intervalMs: number; maxPerInterval: number }) {
    this.#intervalMs = options.intervalMs;
    this.#max = options.maxPerInterval;
  }

  add(client: LiveClient, filter: LiveFilter = {}): void {
    this.#clients.set(client.id, { client, filter, buffer: [], skipped: 0 });
    this.#timer ??= setInterval(() => this.flush(), this.#intervalMs);
  }

  remove(id: string): void {
    this.#clients.delete(id);
    if (this.#clients.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
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
    for (const st of this.#clients.values()) {
      for (const a of alerts) {
        if (!matches(st.filter, a)) continue;
        if (st.buffer.length >= this.#max) {
          st.skipped++;
          continue;
        }
        let alert = shaped.get(a.id);
        if (!alert) shaped.set(a.id, (alert = recordToAlert(a.id, a.record)));
        st.buffer.push(alert);
      }
    }
  };

  /** Sends each client what it has buffered (the timer does this every interval). */
  flush(): void {
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
      }
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#clients.clear();
  }
}
