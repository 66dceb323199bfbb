// Where sources resume: file positions and journal cursors, written inside the pipeline's
// transaction (see PositionStore in sources/file-position.ts for the contract).
import type { Db } from '../../db/database.js';
import type { CursorStore, FilePosition, PositionStore } from '../../sources/index.js';

interface PositionRow {
  dev: number;
  ino: number;
  offset: number;
  size: number | null;
}

export function sqlPositionStore(db: Db): PositionStore {
  const get = db.prepare('SELECT dev, ino, offset, size FROM file_positions WHERE path = ?');
  const set = db.prepare(`INSERT INTO file_positions (path, dev, ino, offset, size, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, offset = excluded.offset, size = excluded.size, updated_at = excluded.updated_at`);
  return {
    get(path): FilePosition | undefined {
      const row = get.get(path) as PositionRow | undefined;
      if (!row) return undefined;
      return { dev: row.dev, ino: row.ino, offset: row.offset, ...(row.size === null ? {} : { size: row.size }) };
    },
    set(path, pos) {
      set.run(path, pos.dev, pos.ino, pos.offset, pos.size ?? null, Date.now());
    },
  };
}

export function sqlCursorStore(db: Db, sourceId: string): CursorStore {
  const get = db.prepare('SELECT cursor FROM source_cursors WHERE source_id = ?').pluck();
  const set = db.prepare(`INSERT INTO source_cursors (source_id, cursor, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (source_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`);
  return {
    get: () => (get.get(sourceId) as string | undefined) ?? undefined,
    set: (cursor) => void set.run(sourceId, cursor, Date.now()),
  };
}
