// Running a block's scripts and moving it through its states: add (pending → active | failed),
// check (verified), delete (releasing → released | expired, or back to active when delete fails).
// Every run is a row before the script starts; the state it leads to is committed before it is
// published. Work for one (command, address) is queued, so add, check and delete never overlap.
import type { RunAction, RunOutcome } from './ar-runs.repository.js';
import { ossecArgv, withCommand, type ArFields } from './ar-args.js';
import { firstLine, ossecAlertId, type ArDeps } from './ar-deps.js';
import type { BlockRow } from './blocks.repository.js';
import { KeyedQueue } from './keyed-queue.js';
import type { RunPlan } from './script-runner.js';

/** After a failed timer-driven delete, try again this much later. */
export const DELETE_RETRY_MS = 60_000;

export interface RunRecord extends RunOutcome {
  runId: number;
}

function describe(action: RunAction, o: RunOutcome): string {
  if (o.error !== null && o.exitCode === null) return `${action} did not run: ${o.error}`;
  if (o.timedOut) return `${action} was killed after its time limit`;
  const detail = firstLine(o.stderr) || firstLine(o.stdout);
  return `${action} exited ${o.exitCode ?? o.signal}${detail ? `: ${detail}` : ''}`;
}

export class BlockExecutor {
  readonly queue = new KeyedQueue();
  readonly #d: ArDeps;
  /** Called when the timer may need re-arming (a block became active or left active). */
  onTimerChange: () => void = () => undefined;

  constructor(deps: ArDeps) {
    this.#d = deps;
  }

  static key(row: Pick<BlockRow, 'command' | 'ip'>): string {
    return `${row.command}\u0000${row.ip ?? '-'}`;
  }

  /** Queues the add of a pending block; resolves with the block as it ends up. */
  add(id: number): Promise<BlockRow> {
    const row = this.#d.blocks.get(id)!;
    return this.queue.run(BlockExecutor.key(row), () => this.#add(id));
  }

  /** Queues the delete of a block already marked `releasing` (or pending with an ending). */
  remove(id: number): Promise<BlockRow> {
    const row = this.#d.blocks.get(id)!;
    return this.queue.run(BlockExecutor.key(row), () => this.#delete(id));
  }

  /** Queues a check; resolves with true (in place), false (not found) or null (no check, or it failed). */
  check(id: number): Promise<boolean | null> {
    const row = this.#d.blocks.get(id)!;
    return this.queue.run(BlockExecutor.key(row), () => this.#check(this.#d.blocks.get(id)!));
  }

  /** Queues the server's add for a block that was enforced by hosts only and now targets the server too. */
  addToActive(id: number): Promise<BlockRow> {
    const row = this.#d.blocks.get(id)!;
    return this.queue.run(BlockExecutor.key(row), async () => {
      const d = this.#d;
      const before = d.blocks.get(id)!;
      if (before.state !== 'active' || before.server_script !== 1) return before;
      const r = await this.#run(before, 'add');
      const now = d.now();
      const after = this.#commit(id, () => {
        if (r.exitCode === 0) d.runs.event(id, now, 'active', null, `on the server too: add exited 0 in ${Math.round(r.durationMs)} ms`);
        else {
          d.blocks.update(id, { reason: describe('add', r) }, now);
          d.runs.event(id, now, 'failed', null, `on the server: ${describe('add', r)}`);
        }
      });
      if (r.exitCode === 0) await this.#check(after);
      return d.blocks.get(id)!;
    });
  }

  /** Queues a bare run (reconciliation: add again what a check did not find, delete what lingers). */
  runAlone(id: number, action: 'add' | 'delete'): Promise<RunRecord> {
    const row = this.#d.blocks.get(id)!;
    return this.queue.run(BlockExecutor.key(row), () => this.#run(this.#d.blocks.get(id)!, action));
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  #plan(row: BlockRow, action: RunAction): RunPlan {
    const file = this.#d.runner.resolve(row.executable);
    const extra = this.#d.policy().commands.get(row.command)?.extraArgs ?? [];
    const fields: ArFields = { user: row.user, ip: row.ip, alertId: ossecAlertId(row), ruleId: row.rule_id, location: row.location, filename: row.filename };
    // check is ours and always takes arguments; json commands get the stored add message (delete replays it).
    if (row.protocol === 'json' && action !== 'check' && row.request !== null) {
      return { file, argv: [], stdin: action === 'add' ? row.request : withCommand(row.request, 'delete'), handshake: action === 'add' };
    }
    return { file, argv: ossecArgv(action, fields, action === 'check' ? [] : extra), stdin: null, handshake: false };
  }

  /** One script run, stored before it starts and completed after. Never throws. */
  async #run(row: BlockRow, action: RunAction): Promise<RunRecord> {
    const d = this.#d;
    const started = d.now();
    let plan: RunPlan | null = null;
    let refusal: string | null = null;
    try {
      plan = this.#plan(row, action);
    } catch (err) {
      refusal = err instanceof Error ? err.message : String(err);
    }
    const runId = d.runs.insertRun({
      blockId: row.id, action, command: row.command, executable: plan?.file ?? row.executable, protocol: row.protocol,
      argv: plan?.argv ?? [], stdin: plan?.stdin ?? null, startedAt: started,
    });
    if (plan === null) {
      const o: RunOutcome = { durationMs: 0, exitCode: null, signal: null, timedOut: false, stdout: '', stderr: '', error: refusal };
      d.runs.finishRun(runId, o);
      d.arLog.line(started, 'portcullis', `not run: ${row.command} ${action} ${row.ip ?? '-'}: ${refusal}`);
      d.log.error({ block: row.id, action, err: refusal }, `active response ${row.command} ${action} not run: ${refusal}`);
      return { ...o, runId };
    }
    if (action !== 'check') d.arLog.call(started, plan.file, plan.argv.length > 0 ? plan.argv : [action, '-', row.ip ?? '-']);
    const o = await d.runner.run(plan);
    d.runs.finishRun(runId, o);
    if (action !== 'check') d.arLog.line(d.now(), plan.file, `${action} ${row.ip ?? '-'}: exit ${o.exitCode ?? o.signal ?? '?'} in ${Math.round(o.durationMs)} ms${o.error ? ` (${o.error})` : ''}`);
    return { ...o, runId };
  }

  #commit(id: number, fn: () => void): BlockRow {
    this.#d.db.transaction(fn)();
    const row = this.#d.blocks.get(id)!;
    this.#d.publish(row);
    return row;
  }

  async #add(id: number): Promise<BlockRow> {
    const d = this.#d;
    const before = d.blocks.get(id)!;
    if (before.state !== 'pending') return before;
    if (before.server_script === 0) return this.#hostsOnly(before, 'add');
    const r = await this.#run(before, 'add');
    const ok = r.exitCode === 0;
    const now = d.now();
    const row = this.#commit(id, () => {
      if (ok) {
        d.blocks.update(id, { state: 'active' }, now);
        d.runs.event(id, now, 'active', null, `add exited 0 in ${Math.round(r.durationMs)} ms`);
      } else {
        d.blocks.update(id, { state: 'failed', reason: describe('add', r), ending: null }, now);
        d.runs.event(id, now, 'failed', null, describe('add', r));
      }
    });
    if (!ok) {
      d.log.warn({ block: id, ip: row.ip, command: row.command, exit: r.exitCode }, `block ${id} failed: ${row.reason}`);
      return row;
    }
    this.onTimerChange();
    await this.#check(row);
    const after = d.blocks.get(id)!;
    // Released while its add was running: undo it now, in the same turn of the queue.
    if (after.ending === 'released') {
      this.#commit(id, () => d.blocks.update(id, { state: 'releasing' }, d.now()));
      return this.#delete(id);
    }
    return after;
  }

  async #check(row: BlockRow): Promise<boolean | null> {
    const d = this.#d;
    if (row.ip === null || row.server_script === 0) return null;
    let supported: boolean;
    try {
      supported = d.runner.supportsCheck(d.runner.resolve(row.executable));
    } catch {
      return null;
    }
    if (!supported) return null;
    const r = await this.#run(row, 'check');
    const verified = r.exitCode === 0 ? true : r.exitCode === 1 ? false : null;
    if (verified === null) return null;
    const now = d.now();
    const current = d.blocks.get(row.id)!;
    const open = current.state === 'active' || current.state === 'pending';
    // For an open block "not found" is drift; for an ended one, "found" is.
    const drift = open ? !verified : verified;
    if ((verified ? 1 : 0) !== current.verified || (drift ? 1 : 0) !== current.drift) {
      this.#commit(row.id, () => {
        d.blocks.update(row.id, { verified: open ? (verified ? 1 : 0) : current.verified, verified_at: now, drift: drift ? 1 : 0 }, now);
        if (drift) d.runs.event(row.id, now, 'drift', null, open ? 'check: not found in the firewall' : 'check: still in the firewall after it ended');
        else if (current.drift) d.runs.event(row.id, now, 'verified', null, 'check: the firewall matches again');
      });
    } else {
      d.blocks.update(row.id, { verified_at: now }, now);
    }
    return verified;
  }

  /**
   * A block enforced by hosts' bouncers only: no script runs here. Its add makes it active, its
   * delete ends it; the bouncers pull either on their next poll.
   */
  #hostsOnly(before: BlockRow, action: 'add' | 'delete'): BlockRow {
    const d = this.#d;
    const id = before.id;
    const now = d.now();
    if (action === 'add') {
      const row = this.#commit(id, () => {
        d.blocks.update(id, { state: before.ending === 'released' ? 'releasing' : 'active' }, now);
        d.runs.event(id, now, 'active', null, 'no script on the server: enforced by the hosts\' bouncers');
      });
      this.onTimerChange();
      return before.ending === 'released' ? this.#hostsOnly(row, 'delete') : row;
    }
    const ending = before.ending ?? 'expired';
    const row = this.#commit(id, () => {
      d.blocks.update(id, { state: ending, released_at: now, verified: null, drift: 0 }, now);
      d.runs.event(id, now, ending, ending === 'released' ? before.released_by : null, ending === 'released' ? before.release_reason : `timeout ${before.timeout} s`);
    });
    this.onTimerChange();
    return row;
  }

  async #delete(id: number): Promise<BlockRow> {
    const d = this.#d;
    const before = d.blocks.get(id)!;
    if (before.state !== 'releasing') return before;
    const ending = before.ending ?? 'expired';
    if (before.server_script === 0) return this.#hostsOnly(before, 'delete');
    const r = await this.#run(before, 'delete');
    const now = d.now();
    if (r.exitCode === 0) {
      const row = this.#commit(id, () => {
        d.blocks.update(id, { state: ending, released_at: now, verified: null, drift: 0 }, now);
        d.runs.event(id, now, ending, ending === 'released' ? before.released_by : null, ending === 'released' ? before.release_reason : `timeout ${before.timeout} s`);
      });
      this.onTimerChange();
      return row;
    }
    // The address is still blocked: the block stays active, and the reason says why.
    const why = describe('delete', r);
    const row = this.#commit(id, () => {
      const retry = ending === 'expired' ? { expires_at: now + DELETE_RETRY_MS } : {};
      d.blocks.update(id, { state: 'active', ending: null, reason: why, released_by: null, release_reason: null, grace_until: null, ...retry }, now);
      d.runs.event(id, now, 'delete-failed', ending === 'released' ? before.released_by : null, why);
    });
    d.log.error({ block: id, ip: row.ip, command: row.command, exit: r.exitCode }, `block ${id}: ${why}`);
    this.onTimerChange();
    return row;
  }
}
