// The data dir holds the password hashes and every stored log line: it is the owner's alone.
// Directories 0700, files 0600, whatever the umask; existing ones are fixed at start.
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) 0700, and takes group and other access off it if it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  closeOff(dir, lstatSync(dir));
}

/**
 * Creates `file` empty and 0600 if it does not exist, else takes group and other access off it.
 * SQLite gives its -wal and -shm files the mode of the database file, so they follow.
 */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  closeOff(file, lstatSync(file));
}

/**
 * Takes group and other access off `dir` and every directory and regular file under it (links are
 * not followed; sockets and the like keep their own modes). Returns what could not be changed,
 * as "path: reason", for the caller to log; it never throws for one file.
 */
export function makeTreePrivate(dir: string): string[] {
  const problems: string[] = [];
  const visit = (path: string): void => {
    let st: Stats;
    try {
      st = lstatSync(path);
      if (st.isDirectory() || st.isFile()) closeOff(path, st);
    } catch (err) {
      problems.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return;
    }
    if (!st.isDirectory()) return;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (err) {
      problems.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return;
    }
    for (const name of names) visit(join(path, name));
  };
  visit(dir);
  return problems;
}

function closeOff(path: string, st: Stats): void {
  if ((st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o7700);
}
