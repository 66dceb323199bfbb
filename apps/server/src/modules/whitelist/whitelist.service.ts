// The white list admins keep in the dashboard (`whitelist_entries`), merged by active response
// with the config's <white_list> entries: an address covered by either is never blocked. Entries
// are parsed as IPv4/IPv6 addresses or networks and stored canonical; changes are audited and
// announced to listeners (active response rebuilds its policy at once).
import { IpListError, parseIpEntry } from '@portcullis/engine';
import type { WhitelistEntry } from '@portcullis/shared';
import type { Statement } from 'better-sqlite3';
import ipaddr from 'ipaddr.js';
import type { Db } from '../../db/database.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js';
import type { Actor } from '../accounts/accounts.service.js';
import type { AuditRepository } from '../audit/audit.repository.js';

interface Row {
  id: number;
  value: string;
  note: string;
  created_by: string | null;
  created_at: number;
}

/** `192.0.2.10`, `10.0.0.0/8`, `2001:db8::/32`: the canonical text of an entry, or a 400. */
export function canonicalEntry(raw: string): string {
  let e;
  try {
    e = parseIpEntry(raw);
  } catch (err) {
    if (err instanceof IpListError) throw new BadRequestError(`${err.message}: give an IPv4 or IPv6 address, or a network such as 192.0.2.0/24`, 'BAD_ADDRESS');
    throw err;
  }
  if (e.negated || e.any || !e.net) throw new BadRequestError(`"${raw}" is not an address or network ("any" and "!" entries are not allowed here)`, 'BAD_ADDRESS');
  const [addr, bits] = e.net;
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  if (bits === max) return addr.toString();
  // The network address itself: 192.0.2.7/24 is written 192.0.2.0/24.
  const bytes = addr.toByteArray().map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
  return `${ipaddr.fromByteArray(bytes).toString()}/${bits}`;
}

export class WhitelistService {
  readonly #db: Db;
  readonly #audit: AuditRepository;
  readonly #list: Statement;
  readonly #one: Statement;
  readonly #insert: Statement;
  readonly #delete: Statement;
  readonly #listeners = new Set<() => void>();

  constructor(db: Db, audit: AuditRepository) {
    this.#db = db;
    this.#audit = audit;
    this.#list = db.prepare('SELECT * FROM whitelist_entries ORDER BY id');
    this.#one = db.prepare('SELECT * FROM whitelist_entries WHERE id = ?');
    this.#insert = db.prepare('INSERT INTO whitelist_entries (value, note, created_by, created_at) VALUES (?, ?, ?, ?)');
    this.#delete = db.prepare('DELETE FROM whitelist_entries WHERE id = ?');
  }

  /** Called after every change (committed). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  /** The dashboard's entries, as the white list takes them. */
  values(): string[] {
    return (this.#list.all() as Row[]).map((r) => r.value);
  }

  entries(): WhitelistEntry[] {
    return (this.#list.all() as Row[]).map(toEntry);
  }

  add(value: string, note: string, actor: Actor): WhitelistEntry {
    const canonical = canonicalEntry(value);
    const row = this.#db.transaction(() => {
      if ((this.#list.all() as Row[]).some((r) => r.value === canonical)) throw new ConflictError(`${canonical} is already on the white list`, 'DUPLICATE');
      const id = Number(this.#insert.run(canonical, note, actor.name, Date.now()).lastInsertRowid);
      const r = this.#one.get(id) as Row;
      this.#audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'whitelist.add', target: canonical, before: null, after: toEntry(r) });
      return r;
    })();
    this.#changed();
    return toEntry(row);
  }

  remove(id: number, actor: Actor): void {
    this.#db.transaction(() => {
      const r = this.#one.get(id) as Row | undefined;
      if (!r) throw new NotFoundError(`no white-list entry ${id} (entries from the config file are changed there)`);
      this.#delete.run(id);
      this.#audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'whitelist.remove', target: r.value, before: toEntry(r), after: null });
    })();
    this.#changed();
  }
}

function toEntry(r: Row): WhitelistEntry {
  return { id: r.id, value: r.value, note: r.note, source: 'dashboard', created_by: r.created_by, created_at: new Date(r.created_at).toISOString() };
}
