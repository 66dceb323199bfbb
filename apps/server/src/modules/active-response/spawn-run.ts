// Starting one active-response script and collecting what it did: execFile (never a shell) with a
// time limit; on overrun it is killed with everything it started. Output is kept bounded. For a
// json-protocol `add` it answers the check_keys handshake. Runs in the caller's thread: the script
// runner's default, and the spawner thread's (workers/spawner.worker.ts) in the server.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { EXECD_CONTINUE } from './ar-args.js';
import type { RunOutcome } from './ar-runs.repository.js';

/** Everything a run needs, as plain data (it crosses to the spawner thread). */
export interface SpawnJob {
  file: string;
  argv: string[];
  /** Written to stdin, then a newline; null = stdin closed at once. */
  stdin: string | null;
  /** Answer a check_keys line with `continue` (json-protocol add). */
  handshake: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  handshakeMs: number;
  maxOutput: number;
}

export function spawnRun(job: SpawnJob): Promise<RunOutcome> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    let timedOut = false;
    let settled = false;
    const child = execFile(
      job.file,
      job.argv,
      { cwd: job.cwd, env: job.env, encoding: 'utf8', maxBuffer: 1024 * 1024, timeout: job.timeoutMs, killSignal: 'SIGKILL', windowsHide: true },
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
          stdout: bound(stdout, job.maxOutput),
          stderr: bound(stderr, job.maxOutput),
          error: timedOut ? `killed after ${job.timeoutMs} ms` : spawnError,
        });
      },
    );
    // execFile's own timeout kills the script; its children (a firewall tool, a lock wait) would
    // keep the output pipes open, so they are killed too, just before.
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killDescendants(child.pid);
    }, Math.max(0, job.timeoutMs - 5));
    let hsTimer: NodeJS.Timeout | undefined = undefined;
    const stdin = child.stdin;
    if (!stdin) return;
    stdin.on('error', () => undefined); // a script that exits without reading: EPIPE is not our failure
    if (job.stdin === null) {
      stdin.end();
      return;
    }
    if (!job.handshake) {
      stdin.end(`${job.stdin}\n`);
      return;
    }
    stdin.write(`${job.stdin}\n`);
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
    hsTimer = setTimeout(finish, Math.min(job.handshakeMs, job.timeoutMs));
  });
}

function bound(s: string | undefined, max: number): string {
  const text = s ?? '';
  return text.length > max ? `${text.slice(0, max)}\n[… ${text.length - max} more bytes]` : text;
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
