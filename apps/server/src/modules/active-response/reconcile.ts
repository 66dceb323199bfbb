// Reconciling the database with the firewall, through each script's `check`: an active block that
// is not found (a rule removed by hand, a flushed ruleset) is drift, shown on the block and fixed
// by running add again; an ended block still found is drift too, fixed by running delete again.
// Scripts without `check` are left alone (their blocks show verified = null).
import type { ArDeps } from './ar-deps.js';
import type { BlockExecutor } from './block-executor.js';

export interface ReconcileReport {
  checked: number;
  drift: number;
  fixed: number;
}

/** Ended blocks are looked at for this long after they end. */
const ENDED_WINDOW_MS = 24 * 3600_000;
const ENDED_LIMIT = 200;

export async function reconcile(d: ArDeps, ex: BlockExecutor): Promise<ReconcileReport> {
  const report: ReconcileReport = { checked: 0, drift: 0, fixed: 0 };
  for (const row of d.blocks.inStates(['active'])) {
    const found = await ex.check(row.id);
    if (found === null) continue;
    report.checked++;
    if (found) continue;
    if (d.blocks.get(row.id)?.state !== 'active') continue; // released or expired meanwhile
    report.drift++;
    d.log.warn({ block: row.id, ip: row.ip, command: row.command }, `block ${row.id} (${row.command} ${row.ip}) is not in the firewall: adding it again`);
    const r = await ex.runAlone(row.id, 'add');
    // The check records the drift as fixed on the block ("the firewall matches again").
    if (r.exitCode === 0 && (await ex.check(row.id)) === true) report.fixed++;
  }
  for (const row of d.blocks.recentlyEnded(d.now() - ENDED_WINDOW_MS, ENDED_LIMIT)) {
    const found = await ex.check(row.id);
    if (found === null) continue;
    report.checked++;
    if (!found) continue;
    if (d.blocks.openFor(row.command, row.ip)) continue; // blocked again meanwhile: that is right
    report.drift++;
    d.log.warn({ block: row.id, ip: row.ip, command: row.command }, `block ${row.id} (${row.command} ${row.ip}) ended but is still in the firewall: deleting it`);
    const r = await ex.runAlone(row.id, 'delete');
    if (r.exitCode === 0 && (await ex.check(row.id)) === false) report.fixed++;
  }
  return report;
}
