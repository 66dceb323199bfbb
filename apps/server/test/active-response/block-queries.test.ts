// The reconciler's query for ended blocks runs every 5 minutes on the event loop: it must find the
// other blocks of an address by address, never by walking every block of the command per row (that
// was quadratic: 12 s with 2,600 ended blocks in the soak, every 5 minutes). And it must still answer
// the same: per command and address, the latest ended block, unless one is open again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { BlocksRepository, RECENTLY_ENDED, type NewBlock } from '../../src/modules/active-response/blocks.repository.js';
import { migrationsDir } from '../../src/paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-blockq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const block = (ip: string, state: NewBlock['state'], at: number, command = 'firewall-drop'): NewBlock => ({
  ip, command, executable: 'firewall-drop.sh', protocol: 'ossec', origin: 'alert', state, rule_id: 5712, alert_id: null, user: null,
  location: null, filename: null, request: null, ar_index: 0, timeout: 60, offense: 1, created_at: at, created_by: 'rule 5712', expires_at: null, reason: null,
});

describe('ended blocks for the reconciler', () => {
  const db = openDatabase(path.join(dir, 'q.db'));
  migrate(db, migrationsDir);
  const repo = new BlocksRepository(db);

  it('looks up the other blocks of an address by address (no statistics, as in a fresh database)', () => {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${RECENTLY_ENDED}`).all(0, 10) as { detail: string }[]).map((r) => r.detail);
    const subqueries = plan.filter((d) => /^SEARCH [ol] /.test(d));
    expect(subqueries).toHaveLength(2);
    for (const d of subqueries) expect(d).toMatch(/USING (COVERING )?INDEX blocks_ip \(ip=\?\)/);
  });

  it('answers the latest ended block per command and address, unless one is open again', () => {
    const now = 1_000_000;
    repo.insert(block('10.0.0.1', 'expired', now - 3000));
    const latest = repo.insert(block('10.0.0.1', 'expired', now - 2000));
    const other = repo.insert(block('10.0.0.1', 'released', now - 2500, 'host-deny'));
    repo.insert(block('10.0.0.2', 'expired', now - 2000));
    repo.insert(block('10.0.0.2', 'active', now - 1000)); // blocked again: nothing to clean up
    repo.insert(block('10.0.0.3', 'expired', now - 10_000_000)); // outside the window
    expect(repo.recentlyEnded(now - 5000, 10).map((b) => b.id).sort()).toEqual([latest, other].sort());
  });
});
