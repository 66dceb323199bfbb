// Running an active-response script: the executable is looked up in the active-response directory
// only (as written, then with `.sh`; its real path must stay inside the directory), run with
// execFile (never a shell) with a time limit; on overrun it is killed with everything it started.
// Output is kept bounded. For a json-protocol `add` the runner answers the check_keys handshake.
import { execFile } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DomainError } from '../../errors.js';
import { EXECD_CONTINUE } from './ar-args.js';
import { resolveExecutable, unsafeLib } from './executables.js';
import { currentUser, type RunAs } from './run-as.js';
import type { RunOutcome } from './ar-runs.repository.js';

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
    const started = performance.now();
    return new Promise((resolvePromise) => {
      let timedOut = false;
      let settled = false;
      const child = execFile(
        plan.file,
        plan.argv,
        { cwd: this.#realDir ?? this.dir, env: this.#env, encoding: 'utf8', maxBuffer: 1024 * 1024, timeout: this.#timeoutMs, killSignal: 'SIGKILL', windowsHide: true },
        (err, stdout, stderr) => {
          clearTimeout(timer);
          clearTimeout(hsTimer);
          if (settled) return;
          settled = true;
          const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string | null }) | null;
          const exitCode = child.exitCode ?? (typeof e?.code === 'number' ? e.code : null);
          const spawnError = e && typeof e.code === 'string' ? `${e.code}: ${e.message}` : null;
          resolvePromise({
            durationMs: performance.now() - started,
            exitCode,
            signal: child.signalCode ?? null,
            timedOut,
            stdout: this.#bound(stdout),
            stderr: this.#bound(stderr),
            error: timedOut ? `killed after ${this.#timeoutMs} ms` : spawnError,
          });
        },
      );
      // execFile's own timeout kills the script; its children (a firewall tool, a lock wait) would
      // keep the output pipes open, so they are killed too, just before.
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) killDescendants(child.pid);
      }, Math.max(0, this.#timeoutMs - 5));
      let hsTimer: NodeJS.Timeout | undefined = undefined;
      const stdin = child.stdin;
      if (!stdin) return;
      stdin.on('error', () => undefined); // a script that exits without reading: EPIPE is not our failure
      if (plan.stdin === null) {
        stdin.end();
        return;
      }
      if (!plan.handshake) {
        stdin.end(`${plan.stdin}\n`);
        return;
      }
      stdin.write(`${plan.stdin}\n`);
      // Wazuh's handshake: the script prints check_keys and waits; execd answers continue or abort.
      // Portcullis has already decided (duplicates never reach a script), so the answer is continue.
      let first = '';
      const finish = (): void => {
        clearTimeout(hsTimer);
        child.stdout?.off('data', onData);
        if (!stdin.writableEnded) stdin.end();
      };
      const onData = (chunk: string | Buffer): void => {
        first += chunk.toString();
        const nl = first.indexOf('\n');
        if (nl < 0 && first.length < 65536) return;
        const line = nl < 0 ? first : first.slice(0, nl);
        if (isCheckKeys(line) && !stdin.writableEnded) stdin.write(`${EXECD_CONTINUE}\n`);
        finish();
      };
      child.stdout?.on('data', onData);
      hsTimer = setTimeout(finish, Math.min(this.#handshakeMs, this.#timeoutMs));
    });
  }

  #bound(s: string | undefined): string {
    const text = s ?? '';
    return text.length > this.#maxOutput ? `${text.slice(0, this.#maxOutput)}\n[… ${text.length - this.#maxOutput} more bytes]` : text;
  }
}

/** SIGKILLs every descendant of `pid` (Linux: read from /proc; elsewhere nothing to do). */
export function killDescendants(pid: number): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return;
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    stack.push(...(children.get(p) ?? []));
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function isCheckKeys(line: string): boolean {
  try {
    const m = JSON.parse(line) as { command?: unknown };
    return m.command === 'check_keys';
  } catch {
    return false;
  }
}
