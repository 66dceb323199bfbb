// `portcullis host …`, `ca init` and `check-config` as real processes of the built CLI: the
// secrets printed once, `--json` and nothing else, the snippets accepted by the real rsyslogd and
// crowdsec-firewall-bouncer, revocation, clear errors, audit rows, and certificates openssl verifies.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { HostsRepository } from '../../src/modules/hosts/hosts.repository.js';
import { makeEnv, type TestEnv } from '../server/helpers.js';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let env: TestEnv;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(serverDir, 'bin', 'portcullis.js'), ...args, '--config', env.configPath, '--data', env.dataDir], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The text between `----- TITLE… -----` and the next section. */
function section(out: string, title: string): string {
  const start = out.indexOf(`----- ${title}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = out.slice(out.indexOf('\n', start) + 1);
  const end = body.search(/\n(-----|HTTP shippers)/);
  return `${body.slice(0, end)}\n`;
}

function db<T>(fn: (d: Database.Database) => T): T {
  const d = new Database(path.join(env.dataDir, 'portcullis.db'), { readonly: false });
  try {
    return fn(d);
  } finally {
    d.close();
  }
}

beforeAll(() => {
  // The children run the built CLI: build it from the sources under test (tsc emits despite type errors elsewhere).
  spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: serverDir, stdio: 'ignore' });
  env = makeEnv({ portcullis: '<public_url>https://central.example:8787</public_url>' });
}, 180_000);
afterAll(() => env?.cleanup());

describe('portcullis host', () => {
  let key1: string;

  it('host add --json prints exactly name, api_key and ingest_token', () => {
    const r = cli('host', 'add', 'web1', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    expect(Object.keys(out)).toEqual(['name', 'api_key', 'ingest_token']);
    expect(out.name).toBe('web1');
    expect(r.stdout).toBe(`${JSON.stringify(out)}\n`);
    key1 = out.api_key!;
    db((d) => {
      const hosts = new HostsRepository(d);
      expect(hosts.byApiKey(key1)?.name).toBe('web1');
      expect(hosts.byIngestToken(out.ingest_token!)?.name).toBe('web1');
    });
  });

  it('host add prints the secrets once with snippets the real rsyslogd and bouncer accept', () => {
    const r = cli('host', 'add', 'web2');
    expect(r.status).toBe(0);
    const key = /api_key\s+(\S+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toMatch(/ingest_token\s+pch_\S+/);
    const dir = path.join(env.dir, 'snippets');
    mkdirSync(dir);

    const bouncer = section(r.stdout, 'crowdsec-firewall-bouncer');
    expect(bouncer).toContain(`api_key: ${key}\n`);
    expect(bouncer).toContain('api_url: https://central.example:8787/\n');
    writeFileSync(path.join(dir, 'bouncer.yaml'), bouncer);
    const b = spawnSync('crowdsec-firewall-bouncer', ['-c', path.join(dir, 'bouncer.yaml'), '-t'], { encoding: 'utf8' });
    expect(`${b.stdout}${b.stderr}`).toContain('config is valid');
    expect(`${b.stdout}${b.stderr}`).not.toMatch(/level=(warning|error|fatal)/);
    expect(b.status).toBe(0);

    expect(section(r.stdout, 'systemd drop-in')).toContain('[Service]\nRestart=always\nRestartSec=5\n');

    const rsyslog = section(r.stdout, 'rsyslog over TLS');
    expect(rsyslog).toContain('StreamDriver.KeyFile="/etc/portcullis/web2.key"');
    writeFileSync(path.join(dir, 'rsyslog.conf'), rsyslog);
    const rs = spawnSync('rsyslogd', ['-N1', '-f', path.join(dir, 'rsyslog.conf')], { encoding: 'utf8' });
    expect(rs.stderr).not.toContain('error');
    expect(rs.status).toBe(0);

    expect(section(r.stdout, 'systemd-journal-upload')).toContain('[Upload]\nURL=https://central.example:8787\nServerKeyFile=/etc/portcullis/web2.key\n');
    // shown once: nothing stored lets anyone print it again
    expect(cli('host', 'list').stdout).not.toContain(key);
    expect(readFileSync(path.join(env.dataDir, 'portcullis.db')).includes(key)).toBe(false);
  });

  it('host list shows both, --json without secrets', () => {
    const text = cli('host', 'list');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^NAME\s+STATUS\s+LAST PULL/);
    expect(text.stdout).toMatch(/\nweb1\s+stale\s+never/);
    const json = JSON.parse(cli('host', 'list', '--json').stdout) as { name: string; status: string }[];
    expect(json.map((h) => [h.name, h.status])).toEqual([['web1', 'stale'], ['web2', 'stale']]);
    expect(JSON.stringify(json)).not.toContain(key1);
  });

  it('errors are clear: a bad name, a name taken, an unknown host, an unknown command', () => {
    const bad = cli('host', 'add', 'web 1');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('host name "web 1" must be letters, digits');
    const dup = cli('host', 'add', 'web1');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('a host named "web1" already exists');
    const unknown = cli('host', 'rotate', 'web9');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no active host named "web9"');
    expect(cli('host', 'frob').status).toBe(2);
    expect(cli('host', 'add').stderr).toContain('host add needs a NAME');
  });

  it('host rotate and host remove: old secrets stop at once, the row stays, each audited as cli', () => {
    const rotated = JSON.parse(cli('host', 'rotate', 'web1', '--json').stdout) as { api_key: string };
    expect(rotated.api_key).not.toBe(key1);
    const removed = cli('host', 'remove', 'web1');
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain('host web1 revoked');
    db((d) => {
      const hosts = new HostsRepository(d);
      expect(hosts.byApiKey(key1)).toBeUndefined();
      expect(hosts.byApiKey(rotated.api_key)).toBeUndefined();
      expect(hosts.byName('web1')?.revoked_at).not.toBeNull();
      expect(d.prepare("SELECT actor, action, target FROM audit WHERE action LIKE 'host.%' ORDER BY id").all()).toEqual([
        { actor: 'cli', action: 'host.add', target: 'web1' },
        { actor: 'cli', action: 'host.add', target: 'web2' },
        { actor: 'cli', action: 'host.rotate', target: 'web1' },
        { actor: 'cli', action: 'host.revoke', target: 'web1' },
      ]);
    });
    expect(cli('host', 'remove', 'web1').stderr).toContain('no active host named "web1"');
    expect(cli('host', 'list').stdout).toMatch(/\nweb1\s+revoked/);
  });
});

describe('portcullis ca init and host cert', () => {
  it('makes a CA under the data directory, refuses to overwrite it, and signs a host certificate openssl verifies', () => {
    const init = cli('ca', 'init', '--name', 'central.example', '--name', 'localhost');
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    const ca = path.join(env.dataDir, 'ca');
    expect(init.stdout).toContain(`<cert>${ca}/server.crt</cert>`);
    for (const f of ['ca.crt', 'ca.key', 'server.crt', 'server.key']) expect((statSync(path.join(ca, f)).mode & 0o777).toString(8)).toBe('600');
    const caKey = readFileSync(path.join(ca, 'ca.key'), 'utf8');
    const again = cli('ca', 'init');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exist.*--force/);
    expect(readFileSync(path.join(ca, 'ca.key'), 'utf8')).toBe(caKey);

    const out = path.join(env.dir, 'web2-certs');
    const cert = cli('host', 'cert', 'web2', '--out', out);
    expect(cert.status).toBe(0);
    expect(cert.stdout).toContain(path.join(out, 'web2.crt'));
    const v = spawnSync('openssl', ['verify', '-CAfile', path.join(out, 'ca.crt'), '-purpose', 'sslclient', path.join(out, 'web2.crt')], { encoding: 'utf8' });
    expect(v.stdout).toContain(': OK');
    expect(spawnSync('openssl', ['x509', '-in', path.join(out, 'web2.crt'), '-noout', '-subject'], { encoding: 'utf8' }).stdout).toMatch(/CN\s*=\s*web2/);
    // a revoked or unknown host gets no certificate
    const revoked = cli('host', 'cert', 'web1', '--out', out);
    expect(revoked.status).toBe(1);
    expect(revoked.stderr).toContain('no active host named "web1"');
  });

  it('the <tls> and <syslog protocol="tls"> printed by ca init pass check-config', () => {
    const init = cli('ca', 'init', '--force', '--name', 'localhost');
    expect(init.status).toBe(0);
    const tls = /  <tls>[\s\S]*?<\/tls>/.exec(init.stdout)![0];
    const syslog = /  <syslog protocol="tls">[\s\S]*?<\/syslog>/.exec(init.stdout)![0].replace('0.0.0.0:6514', '127.0.0.1:0');
    const original = readFileSync(env.configPath, 'utf8');
    writeFileSync(env.configPath, original.replace('</portcullis>', `${tls}\n${syslog}\n</portcullis>`));
    const r = spawnSync(process.execPath, [path.join(serverDir, 'bin', 'portcullis.js'), 'check-config', '--config', env.configPath], { encoding: 'utf8' });
    expect(r.stderr).not.toContain('error');
    expect(r.stdout).toContain(`HTTPS: ${path.join(env.dataDir, 'ca', 'server.crt')}, client certificates from ${path.join(env.dataDir, 'ca', 'ca.crt')}`);
    expect(r.status).toBe(0);
    const cfg = resolveServerConfig({ config: env.configPath }, {});
    expect(cfg.tls?.clientCaPath).toBe(path.join(env.dataDir, 'ca', 'ca.crt'));
    expect(cfg.syslog).toMatchObject([{ protocol: 'tls', allowedIps: ['any'] }]);
    writeFileSync(env.configPath, original);
  });

  it('check-config names a <tls> file that cannot be read, with the element and the path', () => {
    const missing = path.join(env.dir, 'nowhere.crt');
    writeFileSync(env.configPath, readFileSync(env.configPath, 'utf8').replace('</portcullis>', `<tls><cert>${missing}</cert><key>${path.join(env.dataDir, 'ca', 'server.key')}</key></tls>\n</portcullis>`));
    const r = spawnSync(process.execPath, [path.join(serverDir, 'bin', 'portcullis.js'), 'check-config', '--config', env.configPath], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`<tls><cert> ${missing}: cannot read it (ENOENT)`);
    expect(r.stderr).toContain(env.configPath);
  });

  it('check-config names a <syslog protocol="tls"> file that cannot be read or is not a certificate, with the element and the path', () => {
    const original = readFileSync(env.configPath, 'utf8').replace(/<tls>[\s\S]*?<\/tls>\n/, '');
    const ca = path.join(env.dataDir, 'ca');
    const check = (clientCa: string) => {
      writeFileSync(env.configPath, original.replace('</portcullis>', `<syslog protocol="tls"><listen>127.0.0.1:0</listen><cert>${ca}/server.crt</cert><key>${ca}/server.key</key><client_ca>${clientCa}</client_ca></syslog>\n</portcullis>`));
      return spawnSync(process.execPath, [path.join(serverDir, 'bin', 'portcullis.js'), 'check-config', '--config', env.configPath], { encoding: 'utf8' });
    };
    const missing = check(path.join(env.dir, 'no-ca.crt'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`<syslog protocol="tls"><client_ca> ${path.join(env.dir, 'no-ca.crt')}: cannot read it (ENOENT)`);
    expect(missing.stderr).toContain(env.configPath);
    const notPem = check(`${ca}/server.key`);
    expect(notPem.status).toBe(1);
    expect(notPem.stderr).toContain(`<syslog protocol="tls"><client_ca> ${ca}/server.key: not a PEM certificate`);
    const good = check(`${ca}/ca.crt`);
    expect(good.stdout).toContain(`syslog over TLS on 127.0.0.1:0: ${ca}/server.crt, client certificates from ${ca}/ca.crt`);
    expect(good.status).toBe(0);
    writeFileSync(env.configPath, original);
  });
});
