#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies, builds the workspaces, and (with --test)
// makes sure the system tools the end-to-end tests drive are present. Only Node built-ins here,
// because this runs before `npm install` has ever happened.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');
const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  if (r.status !== 0) {
    console.error(`portcullis: '${cmd} ${args.join(' ')}' failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.error('portcullis: installing dependencies (first run)…');
  run('npm', existsSync(join(root, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

run(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--output-logs=errors-only', '--log-prefix=none']);

if (forTests) {
  const wanted = [
    ['chromium', 'chromium'],
    ['iptables', 'iptables'],
    ['nft', 'nftables'],
    ['ip', 'iproute2'],
    ['ipset', 'ipset'],
    ['logger', 'bsdutils'],
    // Many hosts: the real shippers and bouncers the end-to-end tests run in namespaces.
    ['rsyslogd', 'rsyslog'],
    ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', 'rsyslog-gnutls'],
    ['/usr/lib/systemd/systemd-journal-upload', 'systemd-journal-remote'],
    ['crowdsec-firewall-bouncer', 'crowdsec-firewall-bouncer'],
    ['openssl', 'openssl'],
    // e2e/firewall/scripts.test.sh reads the scripts' JSON with it.
    ['python3', 'python3'],
  ];
  const present = (bin) => (bin.startsWith('/') ? existsSync(bin) : has(bin) || existsSync(`/usr/sbin/${bin}`));
  const missing = wanted.filter(([bin]) => !present(bin)).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    if (process.getuid?.() === 0 && has('apt-get')) {
      console.error(`portcullis: installing ${missing.join(', ')} with apt-get…`);
      const update = spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
      if (update.status !== 0) console.error('portcullis: apt-get update failed; trying the install anyway');
      run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
        env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } else {
      console.error(`portcullis: the end-to-end tests need: sudo apt-get install -y ${missing.join(' ')}`);
      process.exit(1);
    }
  }
}
