// Positions in followed files: what is persisted between runs, and how a file rotated while we
// were down is found again by its identity (device + inode).

import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Identity of the file being read (`dev` + `ino`) and the byte offset just past the last line handed on. */
export interface FilePosition {
  dev: number;
  ino: number;
  offset: number;
  /** File size when the position was taken; informative. */
  size?: number;
}

/**
 * Where positions live between runs, keyed by the configured path (not by the rotated name).
 *
 * Contract (what makes delivery exactly-once rather than at-least-once):
 * - `set(path, pos)` is called only after `sink(lines)` has returned for every line before
 *   `pos.offset`, and synchronously right after it, with no await in between. A sink that returns
 *   has persisted its lines' effects; nothing else is acknowledged.
 * - Both calls run inside one `atomic(fn)` call. A caller that passes
 *   `atomic: (fn) => db.transaction(fn)()` and writes alerts and positions in the same SQLite
 *   database gets both committed together or neither, so even a crash between them cannot repeat a
 *   line. With the default `atomic` the window is the gap between two synchronous statements.
 * - If the sink (or `set`) throws, the position does not move; the source shows `failed` and the
 *   same lines are offered again after the backoff.
 * - `set` may also be called with no lines behind it, to record where reading starts (start at the
 *   end of an existing file) or that an over-long line's tail was discarded.
 */
export interface PositionStore {
  get(path: string): FilePosition | undefined;
  set(path: string, pos: FilePosition): void;
}

export function createMemoryPositionStore(): PositionStore & { entries: Map<string, FilePosition> } {
  const entries = new Map<string, FilePosition>();
  return {
    entries,
    get: (p) => entries.get(p),
    set: (p, pos) => void entries.set(p, { ...pos }),
  };
}

export function sameFile(a: { dev: number; ino: number }, b: { dev: number; ino: number }): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/**
 * Finds the file that used to be at `file` (same dev+ino as `pos`) after a rotation while we were
 * down: the usual names first (`file.1`, `file.0`, `file-<date>`, `file.<n>`), then any sibling.
 */
export async function findRotated(file: string, pos: { dev: number; ino: number }): Promise<string | null> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  const rank = (name: string): number => {
    if (name === `${base}.1`) return 0;
    if (name === `${base}.0`) return 1;
    if (name.startsWith(`${base}-`) || name.startsWith(`${base}.`)) return 2;
    return 3;
  };
  const candidates = names.filter((n) => n !== base).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of candidates) {
    const st = await statOrNull(path.join(dir, name)).catch(() => null);
    if (st?.isFile() && sameFile(st, pos)) return path.join(dir, name);
  }
  return null;
}
