// Issue 9, item 1: an unauthenticated client must not choose whom we block. OpenSSH logs the user
// name as the client sent it, spaces included (`ssh 'x from 203.0.113.50 port 22'@host`), so every
// shipped decoder must take the address from the part of the line the client cannot write.
// Here each shipped line form is decoded by the shipped ruleset with an attacker's text in it, and
// five such lines must block the real source, never the address the attacker wrote: through the
// engine, and through the whole server (a log file appended to → alert → active-response script).
// Generated lines are in decoder-spoofing.fuzz.test.ts.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProcessResult } from '@portcullis/engine';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadContext, newEngine } from '../../src/cli/context.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { shippedRules } from '../../src/paths.js';
import { FAKE_COMMAND, FIXTURES, fakeBinding } from '../active-response/helpers.js';
import { syslogLine, waitFor } from '../server/helpers.js';
import { ATTACKS, FAKE, REAL, sshd } from './spoofing-lines.js';

const ctx = loadContext({});
const NOW = 1_709_547_320; // 2024-03-04T10:15:20Z, the lines' own time

describe('shipped decoders on lines with attacker-written text', () => {
  it('run on the shipped config', () => {
    expect(ctx.shipped).toBe(true);
  });

  for (const c of ATTACKS) {
    it(c.name, () => {
      const [r] = newEngine(ctx).process(c.line, '/var/log/auth.log', NOW);
      const got = r!.event.fieldsObject();
      const want = Object.fromEntries(Object.keys(c.fields).map((k) => [k, got[k] ?? null]));
      expect(want, `${c.line}\n    decoded ${JSON.stringify(got)}`).toEqual(c.fields);
      expect(Object.values(got).some((v) => v === FAKE || v === '203.0.113.50'), 'the fake address is never a field').toBe(false);
    });
  }
});

/** Alerts of the block group (what the shipped <active-response> acts on), with their address. */
function blocks(results: ProcessResult[]): string[] {
  return results.filter((r) => r.alert && r.alertRule?.groupList.includes('portcullis_block')).map((r) => r.event.fieldsObject().srcip ?? '(none)');
}

function feed(lines: string[]): ProcessResult[] {
  const engine = newEngine(ctx);
  return lines.flatMap((l, i) => engine.process(l, '/var/log/auth.log', NOW + i));
}

const five = (make: (port: number) => string): string[] => [0, 1, 2, 3, 4].map((i) => sshd(make(41001 + i)));

describe('five attack lines block the real source', () => {
  const cases: [string, string[]][] = [
    ['failed password for an invalid user (the issue)', five((p) => `Failed password for invalid user x from ${FAKE} port 22 from ${REAL} port ${p} ssh2`)],
    ['invalid user', five((p) => `Invalid user x from ${FAKE} port 22 from ${REAL} port ${p}`)],
    ['invalid user, then its password', five((p) => `Invalid user x from ${FAKE} port 22 from ${REAL} port ${p}`).flatMap((l, i) => [l, sshd(`Failed password for invalid user x from ${FAKE} port 22 from ${REAL} port ${41001 + i} ssh2`)])],
    ['client gives up while authenticating', five((p) => `Connection closed by authenticating user root ${FAKE} port 22 ${REAL} port ${p} [preauth]`)],
    ['disconnected while authenticating', five((p) => `Disconnected from authenticating user root ${FAKE} port 22 ${REAL} port ${p} [preauth]`)],
    ['"message repeated 5 times"', [sshd(`message repeated 5 times: [ Failed password for invalid user x from ${FAKE} port 22 from ${REAL} port 41001 ssh2]`)]],
  ];
  for (const [name, lines] of cases) {
    it(name, () => {
      expect(blocks(feed(lines))).toEqual([REAL]);
    });
  }
});

describe('the server blocks the real source of five spoofing lines', () => {
  let dir: string;
  let app: FastifyInstance | null = null;

  afterEach(async () => {
    await app?.close();
    app = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('appended to auth.log: the alert and the firewall script get 198.51.100.40, never 203.0.113.50', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-spoof-'));
    const arDir = path.join(dir, 'active-response');
    const fakeDir = path.join(dir, 'fake');
    mkdirSync(arDir);
    mkdirSync(fakeDir);
    copyFileSync(path.join(FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
    // The scripts run with the server's environment; the fake one records its calls in FAKE_DIR.
    process.env.FAKE_DIR = fakeDir;
    const log = path.join(dir, 'auth.log');
    writeFileSync(log, '');
    const configPath = path.join(dir, 'portcullis.conf');
    // The shipped rules and decoders, as the shipped config loads them, bound to the fake script.
    writeFileSync(configPath, `<ossec_config>
  <ruleset><decoder_dir>${shippedRules}/decoders</decoder_dir><rule_dir>${shippedRules}/rules</rule_dir></ruleset>
  <localfile><log_format>syslog</log_format><location>${log}</location></localfile>
  ${FAKE_COMMAND}${fakeBinding()}
  <portcullis><journald>no</journald><dialect>wazuh</dialect><expand_repeated>yes</expand_repeated>
    <active_response_dir>${arDir}</active_response_dir><watch_ruleset>no</watch_ruleset></portcullis>
</ossec_config>`);
    app = await buildApp(resolveServerConfig({ config: configPath, data: path.join(dir, 'data'), listen: '127.0.0.1:0' }, {}), { webRoot: path.join(dir, 'no-web') });
    await app.ready();

    let text = '';
    for (let i = 0; i < 5; i++) text += `${syslogLine(`Failed password for invalid user x from ${FAKE} port 22 from ${REAL} port ${41001 + i} ssh2`, 'sshd')}\n`;
    appendFileSync(log, text);

    const calls = path.join(fakeDir, 'calls');
    const rows = (await waitFor(() => {
      const found = existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')) : [];
      return found.some((r) => r.includes('add')) ? found : null;
    }, 10_000, 'the active-response script to run'))!;
    expect(rows.filter((r) => r.includes('add')).map((r) => r[3])).toEqual([REAL]);
    expect(rows.some((r) => r.join(' ').includes(FAKE)), 'no script call names the fake address').toBe(false);
    // The script records its call, then "blocks" (a file per address).
    await waitFor(() => existsSync(path.join(fakeDir, `blocked-${REAL}`)), 10_000, 'the real source to be blocked');
    expect(existsSync(path.join(fakeDir, `blocked-${FAKE}`))).toBe(false);

    const alerts = app.alerts.list({ limit: 50 }).items;
    expect(alerts.length).toBe(5);
    expect(new Set(alerts.map((a) => a.srcip))).toEqual(new Set([REAL]));
    const block = alerts.filter((a) => a.groups.includes('portcullis_block'));
    expect(block.map((a) => [a.rule_id, a.srcip, a.fields.srcuser])).toEqual([[5720, REAL, `x from ${FAKE} port 22`]]);
  });
});
