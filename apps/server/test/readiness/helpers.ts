// A config home in a temp dir (readable by everyone, so a child process running as nobody can read
// it) with the seed's active response, and the built CLI to run against it.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = path.join(serverDir, 'bin', 'portcullis.js');

/** Builds dist/ from the sources under test (tsc emits despite type errors elsewhere, so its status is not checked). */
export function buildCli(): void {
  spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: serverDir, stdio: 'ignore' });
}

export interface Home {
  dir: string;
  config: string;
  cleanup(): void;
}

export interface HomeOptions {
  /** `<location>`s (absolute, or relative to the home). */
  logs?: string[];
  /** The `<executable>` of firewall-drop. */
  executable?: string;
  /** Inside `<portcullis>`. */
  portcullis?: string;
}

/** The seed's configuration (firewall-drop at level 10, location local, timeout 600) in a fresh directory. */
export function makeHome(o: HomeOptions = {}): Home {
  const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-ready-'));
  chmodSync(dir, 0o755);
  const logs = (o.logs ?? []).map((l) => `<localfile><log_format>syslog</log_format><location>${l}</location></localfile>`).join('');
  const config = path.join(dir, 'ossec.conf');
  writeFileSync(config, `<ossec_config><global><white_list>127.0.0.1</white_list></global>${logs}
<command><name>firewall-drop</name><executable>${o.executable ?? 'firewall-drop.sh'}</executable><timeout_allowed>yes</timeout_allowed></command>
<active-response><command>firewall-drop</command><location>local</location><level>10</level><timeout>600</timeout></active-response>
${o.portcullis ? `<portcullis>${o.portcullis}</portcullis>` : ''}</ossec_config>
`);
  return { dir, config, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An active-response directory in the home holding one script with `mode`. */
export function ownScript(home: Home, name: string, mode: number): string {
  const ar = path.join(home.dir, 'active-response');
  mkdirSync(ar, { recursive: true, mode: 0o755 });
  const file = path.join(ar, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return file;
}

/** A PATH directory with only what the scripts' preflight needs besides a firewall tool. */
export function pathWithoutFirewall(home: Home): string {
  const bin = path.join(home.dir, 'bin');
  mkdirSync(bin, { mode: 0o755 });
  for (const tool of ['bash', 'dirname', 'readlink', 'flock', 'id']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, path.join(bin, tool));
  }
  return bin;
}

export function checkConfig(config: string, opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, 'check-config', '--config', config], {
    encoding: 'utf8',
    env: opts.env ?? process.env,
    timeout: 60_000,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
  });
}
