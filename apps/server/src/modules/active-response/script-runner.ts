// Running an active-response script: the executable is looked up in the active-response directory
// only (as written, then with `.sh`; its real path must stay inside the directory), run with
// execFile (never a shell) with a time limit (spawn-run.ts; on overrun it is killed with everything it
// started, output kept bounded, the check_keys handshake answered), at most `maxConcurrent` at once.
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DomainError } from '../../errors.js';
import { resolveExecutable, unsafeLib } from './executables.js';
import { currentUser, type RunAs } from './run-as.js';
import type { RunOutcome } from './ar-runs.repository.js';
import { spawnRun, type SpawnJob } from './spawn-run.js';

export { killDescendants } from './spawn-run.js';

export class ScriptNotAllowedError extends DomainError {
  constructor(message: string) {
    super('SCRIPT_NOT_ALLOWED', message, 400);
  }
}

export interface RunnerOptions {
  /** The active-response directory; executables outside it are never run. */
  dir: string;
  /** Longest a run may take before its process group is killed, ms. Default 60 000. */
  timeoutMs?: number;
  /** How long to wait for a check_keys line after sending an add message, ms. Default 10 000. */
  handshakeMs?: number;
  /** Bytes of stdout and of stderr kept per run. Default 16 KiB. */
  maxOutput?: number;
  /** Scripts running at once; more wait their turn (a flood of attackers must not fork-bomb the host). Default 8. */
  maxConcurrent?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Starts the process and collects its outcome. Default: in this thread. The server passes a
   * thread of its own (workers/spawner.ts): starting a process blocks the calling thread until the
   * child has exec'd (tens of ms on a loaded host), which the event loop cannot afford.
   */
  spawn?: (job: SpawnJob) => Promise<RunOutcome>;
}

export interface RunPlan {
  file: string;
  argv: string[];
  /** Written to stdin, then a newline; null = stdin closed at once. */
  stdin: string | null;
  /** Answer a check_keys line with `continue` (json-protocol add). */
  handshake: boolean;
}

/** What the header of a script says it does; `add|delete|check` in it declares the `check` action. */
const CHECK_DECLARATION = /\badd\|delete\|check\b/;

export class ScriptRunner {
  readonly dir: string;
  readonly #realDir: string | null;
  readonly #runAs: RunAs = currentUser();
  readonly #timeoutMs: number;
  readonly #handshakeMs: number;
  readonly #maxOutput: number;
  readonly #env: NodeJS.ProcessEnv;
  readonly #checkCache = new Map<string, { mtime: number; check: boolean }>();
  readonly #maxConcurrent: number;
  readonly #spawn: (job: SpawnJob) => Promise<RunOutcome>;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(o: RunnerOptions) {
    this.dir = o.dir;
    let real: string | null = null;
    try {
      real = realpathSync(o.dir);
    } catch {
      real = null; // a missing directory: every resolve fails with a clear message
    }
    this.#realDir = real;
    this.#timeoutMs = o.timeoutMs ?? 60_000;
    this.#handshakeMs = o.handshakeMs ?? 10_000;
    this.#maxOutput = o.maxOutput ?? 16 * 1024;
    this.#env = o.env ?? {};
    this.#maxConcurrent = o.maxConcurrent ?? 8;
    this.#spawn = o.spawn ?? spawnRun;
  }

  /** Runs waiting for a slot (for metrics and tests). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * The real path of `<executable>` (then `<executable>.sh`) inside the directory; throws otherwise.
   * The same lookup and checks as the readiness report (executables.ts), so what it calls broken or
   * unsafe is never run: as root, a script (or its directory, or our lib/) that someone else can
   * change would hand them root.
   */
  resolve(executable: string): string {
    if (executable === '' || executable.includes('/') || executable.includes('\\') || executable.includes('\0') || executable.startsWith('.'))
      throw new ScriptNotAllowedError(`executable "${executable}" must be a file name in the active-response directory`);
    const r = resolveExecutable(this.dir, executable, this.#runAs);
    if (!r.ok) throw new ScriptNotAllowedError(`${r.message} (fix: ${r.fix})`);
    const lib = this.#runAs.uid === 0 ? unsafeLib(dirname(r.path)) : null;
    if (lib) throw new ScriptNotAllowedError(`${lib.message} (fix: ${lib.fix})`);
    return r.path;
  }

  /** Whether the script declares a `check` action (in its first 8 KiB, as the shipped scripts do). */
  supportsCheck(file: string): boolean {
    const mtime = statSync(file).mtimeMs;
    const cached = this.#checkCache.get(file);
    if (cached && cached.mtime === mtime) return cached.check;
    const buf = Buffer.alloc(8192);
    const fd = openSync(file, 'r');
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
    const check = CHECK_DECLARATION.test(buf.subarray(0, n).toString('latin1'));
    this.#checkCache.set(file, { mtime, check });
    return check;
  }

  /** Runs a plan once a slot is free; the time limit counts from the start of the script. */
  async run(plan: RunPlan): Promise<RunOutcome> {
    // A finishing run hands its slot straight to the next waiter, so the count never overshoots.
    if (this.#running >= this.#maxConcurrent) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await this.#run(plan);
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  #run(plan: RunPlan): Promise<RunOutcome> {
    return this.#spawn({
      file: plan.file, argv: plan.argv, stdin: plan.stdin, handshake: plan.handshake, cwd: this.#realDir ?? this.dir, env: this.#env,
      timeoutMs: this.#timeoutMs, handshakeMs: this.#handshakeMs, maxOutput: this.#maxOutput,
    });
  }
}
