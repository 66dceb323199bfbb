// Portcullis end to end in network namespaces made by this test (never the host's firewall): an
// attacker namespace brute-forces SSH (lines appended to the watched auth.log), the server — run
// inside the "server" namespace so its scripts act there — drops the attacker, and lets it back in
// when the timeout passes, when someone releases it, and after a crash and restart. IPv4 and IPv6,
// nftables and iptables.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AR_DIR, Lab, ROOT, bruteForce, isRoot, nsRun, requireTools, waitForLine, writeHome } from './netns.mjs';

const TIMEOUT = 3; // seconds a block lasts in these tests
// npm test installs each backend's tools (scripts/ensure.mjs --test): a missing one fails, naming its package.
const TOOLS = {
  nftables: [['ip', 'iproute2'], ['nft', 'nftables']],
  iptables: [['ip', 'iproute2'], ['iptables', 'iptables'], ['ip6tables', 'iptables'], ['ipset', 'ipset']],
} as const satisfies Record<string, ReadonlyArray<readonly [string, string]>>;

interface BlockRow {
  id: number;
  ip: string;
  state: string;
  verified: number | null;
  created_at: number;
  released_at: number | null;
  released_by: string | null;
}

/** Polls `check` every 20 ms until it is true, for at most `ms`. */
async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

function hostState(): string {
  const nft = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout ?? '';
  const sets = spawnSync('ipset', ['-q', 'list', '-n'], { encoding: 'utf8' }).stdout ?? '';
  return `${nft}\n${sets}`.split('\n').filter((l) => l.includes('portcullis')).join('\n');
}

describe.skipIf(!isRoot())('active response in network namespaces', () => {
  const hostBefore = isRoot() ? hostState() : '';

  // Each backend with one of the two calling conventions: OSSEC argv, and Wazuh's JSON with the handshake.
  for (const [backend, net, protocol] of [['nftables', 251, 'ossec'], ['iptables', 252, 'json']] as const) {
    describe(`${backend}, ${protocol} protocol`, () => {
      const lab = new Lab({ tag: `e2e${backend.slice(0, 3)}`, net, attackers: 3 });
      let dir: string;
      let home: ReturnType<typeof writeHome>;
      let server: ChildProcess | null = null;
      const env = (): NodeJS.ProcessEnv => ({
        ...process.env,
        PORTCULLIS_FW_BACKEND: backend,
        PORTCULLIS_AR_LOCK: join(dir, 'fw.lock'),
        PORTCULLIS_AR_LOG: join(dir, 'ar-scripts.log'),
      });
      const start = async (): Promise<void> => {
        server = lab.spawnIn(lab.srv, [join(import.meta.dirname, 'serve.mjs'), home.config, home.data, '127.0.0.1:8787'], env());
        await waitForLine(server, 'ready');
      };
      const blocks = (ip: string): BlockRow[] => {
        const db = new Database(join(home.data, 'portcullis.db'), { readonly: true, fileMustExist: true });
        try {
          return db.prepare("SELECT * FROM blocks WHERE ip = ? AND state != 'refused' ORDER BY id").all(ip) as BlockRow[];
        } finally {
          db.close();
        }
      };
      const runs = (blockId: number): { action: string; argv: string; stdin: string | null; stdout: string }[] => {
        const db = new Database(join(home.data, 'portcullis.db'), { readonly: true, fileMustExist: true });
        try {
          return db.prepare("SELECT action, argv, stdin, stdout FROM ar_runs WHERE block_id = ? AND action = 'add' ORDER BY id").all(blockId) as never;
        } finally {
          db.close();
        }
      };
      const inFirewall = (ip: string): boolean => nsRun(lab.srv, join(AR_DIR, 'firewall-drop.sh'), ['check', '-', ip], env()).status === 0;

      beforeAll(async () => {
        requireTools(TOOLS[backend]);
        dir = mkdtempSync(join(tmpdir(), `pc-e2e-${backend}-`));
        home = writeHome(dir, { timeout: TIMEOUT, protocol });
        await lab.up();
        await start();
      });

      afterAll(async () => {
        server?.kill('SIGTERM');
        await lab.down();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      it('drops a brute-forcing IPv4 attacker, and lets it in again after the timeout', async () => {
        const [attacker, bystander] = lab.att4;
        expect(await lab.probe(attacker!, lab.srv4)).toBe(true);
        const t0 = performance.timeOrigin + performance.now();
        bruteForce(home.log, attacker!);
        const drop = await lab.watch(attacker!, lab.srv4, 'drop', 5000);
        expect(drop.ok, 'the attacker was dropped').toBe(true);
        console.log(`${backend}: dropped ${Math.round(drop.at - t0)} ms after the fifth line was written`);
        expect(await lab.probe(bystander!, lab.srv4)).toBe(true); // only the attacker
        expect(inFirewall(attacker!)).toBe(true);
        // the server's own check runs right after add
        expect(await eventually(() => blocks(attacker!)[0]?.verified === 1)).toBe(true);
        const [b] = blocks(attacker!);
        expect(b).toMatchObject({ state: 'active', verified: 1 });
        const [add] = runs(b!.id);
        if (protocol === 'json') {
          expect(JSON.parse(add!.argv)).toEqual([]);
          expect(JSON.parse(add!.stdin!)).toMatchObject({ command: 'add', parameters: { alert: { data: { srcip: attacker } } } });
          expect(add!.stdout).toContain('"check_keys"');
        } else expect(JSON.parse(add!.argv)).toEqual(['add', 'root', attacker, expect.stringMatching(/^\d+\.\d+$/), '5720', home.log, '-']);

        const open = await lab.watch(attacker!, lab.srv4, 'open', (TIMEOUT + 5) * 1000, 50);
        expect(open.ok, 'the attacker got back in').toBe(true);
        expect(open.at - b!.created_at).toBeGreaterThanOrEqual(TIMEOUT * 1000 - 100);
        // the firewall opens while delete runs; the row follows when the script has exited
        expect(await eventually(() => blocks(attacker!)[0]!.state === 'expired')).toBe(true);
        expect(inFirewall(attacker!)).toBe(false);
      });

      it('drops an IPv6 attacker, and lets it in when released with portcullis release', async () => {
        const attacker = lab.att6[0]!;
        expect(await lab.probe(attacker, lab.srv6)).toBe(true);
        bruteForce(home.log, attacker);
        expect((await lab.watch(attacker, lab.srv6, 'drop', 5000)).ok).toBe(true);
        expect(await eventually(() => blocks(attacker)[0]?.verified === 1)).toBe(true);
        expect(blocks(attacker)[0]).toMatchObject({ state: 'active', verified: 1 });
        // break-glass from the host: the CLI reaches the server through the admin socket in the data dir
        const cli = spawnSync(process.execPath, [join(ROOT, 'apps', 'server', 'dist', 'cli.js'), 'release', attacker, '--reason', 'e2e release', '--config', home.config, '--json'], { encoding: 'utf8', env: env(), timeout: 30_000 });
        expect(cli.status, cli.stderr).toBe(0);
        expect(JSON.parse(cli.stdout)).toMatchObject({ via: 'server', ok: true });
        expect(await lab.probe(attacker, lab.srv6)).toBe(true);
        expect(blocks(attacker)[0]).toMatchObject({ state: 'released', released_by: 'cli:root' });
      });

      it('forgets no block across a crash: SIGKILL, wait past the timeout, start, the DROP is gone and the block expired', async () => {
        const attacker = lab.att4[2]!;
        bruteForce(home.log, attacker);
        expect((await lab.watch(attacker, lab.srv4, 'drop', 5000)).ok).toBe(true);
        expect(blocks(attacker)[0]!.state).toBe('active');
        server!.kill('SIGKILL');
        await new Promise((r) => server!.once('exit', r));
        await new Promise((r) => setTimeout(r, (TIMEOUT + 1) * 1000));
        expect(await lab.probe(attacker, lab.srv4)).toBe(false); // nobody lifted it while the server was down
        expect(blocks(attacker)[0]!.state).toBe('active');
        await start();
        expect((await lab.watch(attacker, lab.srv4, 'open', 5000, 20)).ok).toBe(true);
        expect(await eventually(() => blocks(attacker)[0]!.state === 'expired')).toBe(true);
        expect(inFirewall(attacker)).toBe(false);
      });
    });
  }

  it('left the host firewall alone', () => {
    expect(hostState()).toBe(hostBefore);
  });
});
