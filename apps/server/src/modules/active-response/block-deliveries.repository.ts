// SQL for a block's target hosts (many hosts): one block_deliveries row per (block, host), marked
// when that host's bouncer has pulled the decision (added_at) and later its removal (removed_at).
// The bouncer API (modules/bouncer) sets the marks; active response creates the rows.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';

export interface DeliveryRow {
  block_id: number;
  host_id: number;
  added_at: number | null;
  removed_at: number | null;
}

/** A delivery with its host, as the block API shows it. */
export interface DeliveryView extends DeliveryRow {
  name: string;
  revoked_at: number | null;
  last_pull_at: number | null;
  poll_interval_ms: number | null;
}

export class BlockDeliveriesRepository {
  readonly #insert: Statement;
  readonly #hostsOf: Statement;
  readonly #ofBlock: Statement;
  readonly #added: Statement;
  readonly #removed: Statement;
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare('INSERT OR IGNORE INTO block_deliveries (block_id, host_id) VALUES (?, ?)');
    this.#hostsOf = db.prepare('SELECT host_id FROM block_deliveries WHERE block_id = ?').pluck();
    this.#ofBlock = db.prepare(`SELECT d.*, h.name, h.revoked_at, h.last_pull_at, h.poll_interval_ms FROM block_deliveries d
      JOIN hosts h ON h.id = d.host_id WHERE d.block_id = ? ORDER BY h.name`);
    this.#added = db.prepare('UPDATE block_deliveries SET added_at = ? WHERE block_id = ? AND host_id = ? AND added_at IS NULL');
    this.#removed = db.prepare('UPDATE block_deliveries SET removed_at = ? WHERE block_id = ? AND host_id = ? AND removed_at IS NULL');
  }

  /** Adds target hosts to a block (a host already targeted is kept as it is). Returns how many are new. */
  target(blockId: number, hostIds: Iterable<number>): number {
    let n = 0;
    for (const h of hostIds) n += this.#insert.run(blockId, h).changes;
    return n;
  }

  hostsOf(blockId: number): number[] {
    return this.#hostsOf.all(blockId) as number[];
  }

  ofBlock(blockId: number): DeliveryView[] {
    return this.#ofBlock.all(blockId) as DeliveryView[];
  }

  /** Deliveries of many blocks at once (the block list), by block id. */
  ofBlocks(blockIds: readonly number[]): Map<number, DeliveryView[]> {
    const out = new Map<number, DeliveryView[]>();
    if (blockIds.length === 0) return out;
    const rows = this.#db.prepare(`SELECT d.*, h.name, h.revoked_at, h.last_pull_at, h.poll_interval_ms FROM block_deliveries d
      JOIN hosts h ON h.id = d.host_id WHERE d.block_id IN (${blockIds.map(() => '?').join(',')}) ORDER BY h.name`).all(...blockIds) as DeliveryView[];
    for (const r of rows) {
      const list = out.get(r.block_id) ?? [];
      list.push(r);
      out.set(r.block_id, list);
    }
    return out;
  }

  markAdded(blockId: number, hostId: number, now: number): void {
    this.#added.run(now, blockId, hostId);
  }

  markRemoved(blockId: number, hostId: number, now: number): void {
    this.#removed.run(now, blockId, hostId);
  }
}
