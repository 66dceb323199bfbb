// A real Portcullis for one spec file: its own temp home (config, a copy of the shipped rules, a
// recording active-response script, the watched log file), a fresh SQLite database, users made
// with the CLI, and the server started on a free port. Nothing is mocked.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'apps', 'server', 'bin', 'portcullis.js');

export const PASSWORD = 'correct-horse-battery';
export const USERS = { admin: 'admin', responder: 'responder', viewer: 'viewer' } as const;

export interface Portcullis {
  url: string;
  home: string;
  logFile: string;
  /** Appends lines to the watched log, as sshd would. */
  append(lines: string[]): void;
  /** What the active-response script was called with: `add 203.0.113.9`, `delete 203.0.113.9`. */
  arCalls(): string[];
  /** Server stdout and stderr, for failure messages. */
  output(): string;
  /** The one-time setup token a first-run server printed. */
  setupToken(): string | null;
  /** Stops the server and starts it again on the same port with the same home and database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface Options {
  /** `<timeout>` of the blocking response, seconds. */
  timeout?: number;
  /** Create the admin, responder and viewer accounts (default); false leaves a first-run server. */
  users?: boolean;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function config(home: string, port: number, timeout: number): string {
  return `<ossec_config>
  <global>
    <white_list>127.0.0.1</white_list>
  </global>
  <ruleset>
    <decoder_dir>rules/decoders</decoder_dir>
    <rule_dir>rules/rules</rule_dir>
  </ruleset>
  <localfile>
    <log_format>syslog</log_format>
    <location>${home}/auth.log</location>
  </localfile>
  <command>
    <name>record</name>
    <executable>record.sh</executable>
    <timeout_allowed>yes</timeout_allowed>
  </command>
  <active-response>
    <command>record</command>
    <location>local</location>
    <rules_group>portcullis_block,</rules_group>
    <timeout>${timeout}</timeout>
  </active-response>
  <portcullis>
    <dialect>wazuh</dialect>
    <listen>127.0.0.1:${port}</listen>
    <data_dir>data</data_dir>
    <active_response_dir>active-response</active_response_dir>
    <journald>no</journald>
    <watch_ruleset>yes</watch_ruleset>
    <log_level>warn</log_level>
  </portcullis>
</ossec_config>
`;
}

// Records each call and keeps the set of "blocked" addresses so `check` can answer truthfully.
const RECORD_SH = `#!/bin/sh
here="$(cd "$(dirname "$0")/.." && pwd)"
case "$1" in
  add) echo "add $3" >> "$here/ar-calls.log"; echo "$3" >> "$here/ar-state" ;;
  delete) echo "delete $3" >> "$here/ar-calls.log"; touch "$here/ar-state"; grep -v -x -F "$3" "$here/ar-state" > "$here/ar-state.tmp"; mv "$here/ar-state.tmp" "$here/ar-state" ;;
  check) grep -q -x -F "$3" "$here/ar-state" 2>/dev/null && exit 0; exit 1 ;;
esac
exit 0
`;

function cli(args: string[], input?: string): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`portcullis ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export async function startPortcullis(opts: Options = {}): Promise<Portcullis> {
  const home = mkdtempSync(join(tmpdir(), 'portcullis-e2e-'));
  mkdirSync(join(home, 'etc'));
  mkdirSync(join(home, 'active-response'));
  cpSync(join(ROOT, 'rules', 'decoders'), join(home, 'rules', 'decoders'), { recursive: true });
  cpSync(join(ROOT, 'rules', 'rules'), join(home, 'rules', 'rules'), { recursive: true });
  writeFileSync(join(home, 'active-response', 'record.sh'), RECORD_SH);
  chmodSync(join(home, 'active-response', 'record.sh'), 0o755);
  const logFile = join(home, 'auth.log');
  writeFileSync(logFile, '');
  const port = await freePort();
  const configPath = join(home, 'etc', 'portcullis.conf');
  writeFileSync(configPath, config(home, port, opts.timeout ?? 600));
  if (opts.users !== false) for (const [name, role] of Object.entries(USERS)) cli(['user', 'add', name, '--role', role, '--config', configPath], `${PASSWORD}\n`);

  let out = '';
  const url = `http://127.0.0.1:${port}`;
  let child = await launch(configPath, url, (d) => (out += d), () => out);

  const stopChild = async () => {
    const running = () => child.exitCode === null && child.signalCode === null;
    if (!running()) return;
    const done = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    if (running()) child.kill('SIGKILL');
    await done;
  };

  return {
    url,
    home,
    logFile,
    append(lines) {
      appendFileSync(logFile, lines.map((l) => `${l}\n`).join(''));
    },
    arCalls() {
      const f = join(home, 'ar-calls.log');
      return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
    },
    output: () => out,
    setupToken: () => /"token":"([^"]+)"/.exec(out)?.[1] ?? null,
    async restart() {
      await stopChild();
      child = await launch(configPath, url, (d) => (out += d), () => out);
    },
    async stop() {
      await stopChild();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Starts `portcullis start` and waits until it answers on `url`. */
async function launch(configPath: string, url: string, onOutput: (d: string) => void, output: () => string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'start', '--config', configPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => onOutput(String(d)));
  child.stderr!.on('data', (d: Buffer) => onOutput(String(d)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portcullis exited (${child.exitCode}):\n${output()}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`portcullis did not answer on ${url} within 30 s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** sshd lines as a brute force writes them, stamped now (syslog format). */
export function sshFailures(ip: string, n: number, user = 'root'): string[] {
  const d = new Date();
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const stamp = `${mon} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
  return Array.from({ length: n }, (_, i) => `${stamp} web01 sshd[${4100 + i}]: Failed password for ${user} from ${ip} port ${50100 + i} ssh2`);
}
