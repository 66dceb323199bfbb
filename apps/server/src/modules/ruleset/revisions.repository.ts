// SQL for `ruleset_revisions` (migrations/0060_rules.sql): every content saved from the dashboard
// for a rule or decoder file, or for the config's response blocks, so any can be rolled back to.
import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { RulesetRevision } from '@portcullis/shared';
import type { Db } from '../../db/database.js';

export type RevisionKind = 'rules' | 'decoders' | 'config';

export interface RevisionRow {
  id: number;
  path: string;
  kind: RevisionKind;
  content: string;
  hash: string;
  author: string | null;
  message: string;
  created_at: number;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A row as the API shows it; `currentHash` is the hash of the file as it is now. */
export function toRevision(r: Omit<RevisionRow, 'content'> & { size: number }, current: boolean): RulesetRevision {
  return { id: r.id, path: r.path, hash: r.hash, size: r.size, author: r.author, message: r.message, created_at: new Date(r.created_at).toISOString(), current };
}

export class RevisionsRepository {
  readonly #insert: Statement;
  readonly #byPath: Statement;
  readonly #one: Statement;
  readonly #counts: Statement;

  constructor(db: Db) {
    this.#insert = db.prepare(`INSERT INTO ruleset_revisions (path, kind, content, hash, author, message, created_at)
      VALUES (@path, @kind, @content, @hash, @author, @message, @created_at)`);
    this.#byPath = db.prepare(`SELECT id, path, kind, hash, length(CAST(content AS BLOB)) AS size, author, message, created_at
      FROM ruleset_revisions WHERE path = ? ORDER BY id DESC`);
    this.#one = db.prepare('SELECT * FROM ruleset_revisions WHERE id = ?');
    this.#counts = db.prepare('SELECT path, count(*) AS n FROM ruleset_revisions GROUP BY path');
  }

  /** Revisions of a path, newest first, without their content. */
  list(path: string): Array<Omit<RevisionRow, 'content'> & { size: number }> {
    return this.#byPath.all(path) as Array<Omit<RevisionRow, 'content'> & { size: number }>;
  }

  get(id: number): RevisionRow | null {
    return (this.#one.get(id) as RevisionRow | undefined) ?? null;
  }

  counts(): Map<string, number> {
    return new Map((this.#counts.all() as Array<{ path: string; n: number }>).map((r) => [r.path, r.n]));
  }

  /**
   * Records a saved content. The first save of a path also stores what it replaced, so the
   * content as found can be rolled back to. Call inside the transaction that makes the change.
   */
  record(e: { path: string; kind: RevisionKind; previous: string; content: string; author: string | null; message: string }, now = Date.now()): RevisionRow {
    if (this.list(e.path).length === 0) {
      this.#insert.run({ path: e.path, kind: e.kind, content: e.previous, hash: sha256(e.previous), author: null, message: 'as found before the first edit', created_at: now });
    }
    const row = { path: e.path, kind: e.kind, content: e.content, hash: sha256(e.content), author: e.author, message: e.message, created_at: now };
    const id = Number(this.#insert.run(row).lastInsertRowid);
    return { id, ...row };
  }
}
