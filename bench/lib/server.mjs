// A real `portcullis start` process for the benchmarks: its own temp home, config, database and
// watched log file, and a viewer account to sign in with. Not a benchmark itself (bench/run.mjs
// runs only the top-level files).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');
/** The `portcullis` command as users run it, and the stock OSSEC 4.2 home in ../shared. */
export const cli = join(root, 'apps', 'server', 'bin', 'portcullis.js');
export const ossecHome = resolve(root, '..', 'shared', 'compat', 'ossec-hids-4.2.0');
export const password = 'bench-password-1';

/**
 * Creates the home: `portcullisSettings` is the XML inside <portcullis>, `extra` more XML for the
 * config (commands, active responses), `users` the accounts to create as [name, role].
 */
export function benchHome(portcullisSettings, { extra = '', users = [['bench', 'viewer']] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const log = join(dir, 'auth.log');
  const config = join(dir, 'portcullis.conf');
  const data = join(dir, 'data');
  writeFileSync(log, '');
  writeFileSync(config, `<ossec_config>
  <localfile><log_format>syslog</log_format><location>${log}</location></localfile>
  ${extra}
  <portcullis>${portcullisSettings}</portcullis>
</ossec_config>
`);
  for (const [name, role] of users) {
    spawnSync(process.execPath, [cli, 'user', 'add', name, '--role', role, '--config', config, '--data', data], { input: `${password}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
  }
  return { dir, log, config, data };
}

/** Starts the server on a free port; resolves with the child and its URL once it says it runs. */
export function startServer({ config, data, nodeArgs = [] }) {
  const child = spawn(process.execPath, [...nodeArgs, cli, 'start', '--config', config, '--data', data, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) ok({ child, url: m[1] });
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code}\n${out}`)));
  });
}
