// The data dir is made private at every start, so Portcullis refuses a folder that is someone
// else's (it would take group and other access off everything in it).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirError, openDatabase } from '../../src/db/database.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the data dir is Portcullis\'s own', () => {
  it('refuses a folder holding other files and no database, and changes nothing in it', () => {
    const shared = mkdtempSync(join(tmpdir(), 'portcullis-shared-'));
    dirs.push(shared);
    writeFileSync(join(shared, 'someone-elses.conf'), 'x', { mode: 0o644 });
    mkdirSync(join(shared, 'www'), { mode: 0o755 });
    expect(() => openDatabase(join(shared, 'portcullis.db'))).toThrow(DataDirError);
    expect(() => openDatabase(join(shared, 'portcullis.db'))).toThrow(/holds other files \(.*someone-elses\.conf.*\) and no portcullis\.db/);
    expect(statSync(join(shared, 'someone-elses.conf')).mode & 0o777).toBe(0o644);
    expect(statSync(join(shared, 'www')).mode & 0o777).toBe(0o755);
  });

  it('takes a missing folder, an empty one, and one that already holds the database', () => {
    const base = mkdtempSync(join(tmpdir(), 'portcullis-own-'));
    dirs.push(base);
    for (const dir of [join(base, 'new'), join(base, 'empty')]) {
      if (dir.endsWith('empty')) mkdirSync(dir);
      openDatabase(join(dir, 'portcullis.db')).close();
      writeFileSync(join(dir, 'correlation-state.json'), '{}');
      openDatabase(join(dir, 'portcullis.db')).close(); // its own files beside the database are fine
    }
  });
});
