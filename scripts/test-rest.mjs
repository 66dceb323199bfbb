#!/usr/bin/env node
// The tests outside the workspaces: the active-response scripts and the server's active response
// end to end in network namespaces (as root), and the browser end-to-end suite (when present).
// Part of `npm test`.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
let failed = false;

function step(name, cmd, args, opts = {}) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`${name}: FAILED (exit ${r.status ?? r.signal})`);
    failed = true;
  }
}

const fw = join(root, 'e2e', 'firewall', 'scripts.test.sh');
if (process.getuid?.() === 0) {
  step('active-response scripts (network namespaces)', 'bash', [fw]);
  step('active response end to end: server, attacker, firewall (network namespaces)', join(root, 'node_modules', '.bin', 'vitest'), ['run', '-c', join(root, 'e2e', 'firewall', 'vitest.config.ts')]);
} else console.log(`\nskipping ${fw} and e2e/firewall/*.test.ts: they need root to create network namespaces`);

const pw = join(root, 'e2e', 'playwright.config.ts');
if (existsSync(pw)) step('end to end (Playwright, Chromium)', join(root, 'node_modules', '.bin', 'playwright'), ['test', '-c', pw], { env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });

process.exitCode = failed ? 1 : 0;
