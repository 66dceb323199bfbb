#!/usr/bin/env node
// The dashboard in a real browser (Debian's Chromium) against a real server:
//  1. with 1,000,000 alerts in SQLite, the time until the Alerts page shows its first rows: on a
//     cold load of the page, after an in-app navigation, and with a selective filter;
//  2. with the Alerts page open, 1,000 alerting lines/s appended to the watched log for S seconds:
//     long tasks (count, longest) and frames (rate, longest gap), i.e. whether the page keeps
//     animating under a flood.
// Usage: node bench/web-alerts.mjs [--alerts N] [--seconds S]
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { benchHome, password, root, startServer } from './lib/server.mjs';

const requireServer = createRequire(join(root, 'apps', 'server', 'package.json'));
const requireRoot = createRequire(join(root, 'package.json'));
const Database = requireServer('better-sqlite3');
const { chromium } = requireRoot('playwright-core');
const { values } = parseArgs({ options: { alerts: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '10' } } });
const N = Number(values.alerts);
const chromiumPath = process.env.PORTCULLIS_CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(join(root, 'apps', 'web', 'dist', 'index.html'))) {
  console.log('web-alerts: skipped, the dashboard is not built (npm run build)');
  process.exit(0);
}
if (!existsSync(chromiumPath)) {
  console.log(`web-alerts: skipped, no Chromium at ${chromiumPath} (apt-get install chromium)`);
  process.exit(0);
}

const { dir, log, config, data } = benchHome('<journald>no</journald><log_level>warn</log_level><retention_max_alerts>0</retention_max_alerts><retention_days>0</retention_days>');
const start = () => startServer({ config, data });

async function stop(child) {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** Fills the alerts table as a week of a busy host would: a mix of rules, levels and sources. */
function seed(n) {
  const db = new Database(join(data, 'portcullis.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const rules = [
    [5716, 5, 'sshd: failed password for root from $ip', 'syslog,sshd,authentication_failed,'],
    [5710, 5, 'sshd: login attempt with a non-existent user "oracle" from $ip', 'syslog,sshd,invalid_login,'],
    [5706, 3, 'sshd: connection without an SSH greeting (probe) from $ip', 'syslog,sshd,recon,'],
    [5715, 3, 'sshd: deploy logged in from $ip (publickey)', 'syslog,sshd,authentication_success,'],
    [5402, 3, 'sudo: alice ran a command as root', 'syslog,sudo,'],
    [5720, 10, 'sshd: brute force from $ip (5 failed login attempts in 10 minutes)', 'syslog,sshd,authentication_failures,portcullis_block,'],
    [5302, 9, 'su: bob failed to become root', 'syslog,su,authentication_failed,'],
    [5758, 8, 'sshd: client used up its authentication attempts from $ip', 'syslog,sshd,'],
  ];
  const ins = db.prepare(`INSERT INTO alerts (time, event_time, rule_id, level, description, groups, decoder, srcip, user, hostname, program_name, location, full_log, fields)
    VALUES (?, ?, ?, ?, ?, ?, 'sshd', ?, 'root', ?, 'sshd', ?, ?, ?)`);
  const now = Date.now();
  const span = 7 * 86_400_000;
  const t0 = performance.now();
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const [id, level, desc, groups] = rules[(i * 7919) % 97 < 60 ? 0 : (i * 31) % rules.length];
      const ip = `198.${18 + (i % 2)}.${(i >> 8) & 255}.${i & 255}`;
      const time = now - span + Math.floor((i / n) * span);
      const host = `web0${i % 4}`;
      const line = `Nov 28 09:51:42 ${host} sshd[${1000 + (i % 30000)}]: Failed password for root from ${ip} port ${40000 + (i % 20000)} ssh2`;
      ins.run(time, time, id, level, desc.replace('$ip', ip), groups, ip, host, '/var/log/auth.log', line, JSON.stringify({ srcip: ip, dstuser: 'root' }));
    }
  });
  for (let i = 0; i < n; i += 50_000) batch(i, Math.min(n, i + 50_000));
  recountAlerts(db); // the rows went in with SQL of our own: count them per slot as the server does
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return (performance.now() - t0) / 1000;
}

const { recountAlerts } = await import('../apps/server/dist/modules/alerts/alert-counts.js');
let server = await start();
await stop(server.child); // migrations applied: the schema exists
const seeded = seed(N);
console.log(`seeded ${N.toLocaleString('en')} alerts in ${seeded.toFixed(1)} s`);
server = await start();

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const login = await context.request.post(`${server.url}/api/session`, { data: { username: 'bench', password } });
  if (!login.ok()) throw new Error(`sign-in failed: ${login.status()}`);
  const page = await context.newPage();
  // Records when the first alert row is drawn, in the page's own clock (from navigation start).
  await page.addInitScript(() => {
    const w = window;
    w.__firstRow = null;
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-alert-id]')) {
        w.__firstRow = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });

  const cold = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(`${server.url}/alerts`);
    await page.waitForSelector('[data-alert-id]');
    cold.push(await page.evaluate(() => window.__firstRow));
  }
  const filtered = [];
  for (const q of ['level_min=10', 'srcip=198.19.200.17', 'q=port%2045678']) {
    await page.goto(`${server.url}/alerts?${q}`);
    await page.waitForSelector('[data-alert-id], .state');
    filtered.push([q, await page.evaluate(() => window.__firstRow)]);
  }
  // In-app: from the overview to the alerts through the sidebar (no page load).
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-testid="stat-alerts"]');
  const nav = await page.evaluate(async () => {
    const t = performance.now();
    document.querySelector('a[href="/alerts"]').click();
    while (!document.querySelector('[data-alert-id]')) await new Promise((r) => requestAnimationFrame(r));
    return performance.now() - t;
  });
  const fmt = (ms) => (ms === null ? 'no rows' : `${Math.round(ms)} ms`);
  console.log(`first rows with ${N.toLocaleString('en')} alerts stored: page load ${cold.map(fmt).join(' / ')} (target < 1,000 ms), in-app navigation ${fmt(nav)}`);
  console.log(`first rows, filtered: ${filtered.map(([q, ms]) => `${decodeURIComponent(q)} ${fmt(ms)}`).join(', ')}`);

  // 2. the flood
  await page.goto(`${server.url}/alerts`);
  await page.waitForSelector('[data-alert-id]');
  await page.waitForFunction(() => document.querySelector('.live-dot')?.getAttribute('data-status') === 'connected');
  const idle = await page.evaluate(async () => {
    const f = [];
    let last = performance.now();
    const end = last + 2000;
    while (performance.now() < end) {
      const t = await new Promise((r) => requestAnimationFrame(r));
      f.push(t - last);
      last = t;
    }
    return f.length / 2;
  });
  await page.evaluate(() => {
    const w = window;
    w.__long = [];
    new PerformanceObserver((l) => w.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: false });
    w.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const seconds = Number(values.seconds);
  const total = seconds * 1000;
  const stamp = new Date().toString().slice(4, 24).replace(/^(\w{3}) 0/, '$1  ');
  const t1 = performance.now();
  for (let i = 0; i < total; ) {
    const wait = t1 + i - performance.now();
    if (wait > 0) await sleep(wait);
    let chunk = '';
    for (let k = 0; k < 20 && i < total; k++, i++) chunk += `${stamp} bench sshd[${1000 + (i % 5000)}]: Failed password for invalid user u${i} from 198.18.${(i >> 8) & 255}.${i & 255} port ${i + 1} ssh2\n`;
    appendFileSync(log, chunk);
  }
  await sleep(1500);
  const r = await page.evaluate(() => {
    const w = window;
    w.__stopFrames = true;
    const f = w.__frames.slice(5);
    const sum = f.reduce((a, b) => a + b, 0);
    return {
      long: w.__long.length,
      maxLong: Math.max(0, ...w.__long),
      fps: f.length / (sum / 1000),
      maxGap: Math.max(0, ...f),
      over50: f.filter((x) => x > 50).length,
      rows: document.querySelector('.livebar .num')?.textContent ?? '',
    };
  });
  console.log(`live flood, 1,000 alerting lines/s for ${seconds} s with the Alerts page open: ${r.long} long tasks, longest ${Math.round(r.maxLong)} ms (target < 100 ms); ` +
    `${r.fps.toFixed(0)} frames/s (${idle.toFixed(0)} when idle), longest frame ${Math.round(r.maxGap)} ms, ${r.over50} frames over 50 ms; list: ${r.rows}`);
} finally {
  await browser.close();
  await stop(server.child);
  rmSync(dir, { recursive: true, force: true });
}
