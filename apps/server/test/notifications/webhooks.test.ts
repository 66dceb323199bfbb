// Wazuh's integrations against real HTTP receivers on loopback: Slack's attachment and custom-*
// webhooks with Wazuh's JSON alert; a receiver that is down is retried with backoff and gets the
// alert once when it comes up, across a restart too; block events (added, released) with a filter.
import { afterEach, describe, expect, it } from 'vitest';
import { attack } from '../active-response/helpers.js';
import { signIn } from '../server/helpers.js';
import { freePort, makeDir, receiver, startWorld, waitFor, writeConfig, type Receiver, type World } from './helpers.js';

let world: World | null = null;
const receivers: Receiver[] = [];

afterEach(async () => {
  await world?.close();
  world = null;
  for (const r of receivers.splice(0)) await r.close();
});

async function up(port?: number, dropFirst = 0): Promise<Receiver> {
  const r = receiver(dropFirst);
  receivers.push(r);
  await r.listen(port);
  return r;
}

const integration = (name: string, url: string, extra = '') =>
  `  <integration><name>${name}</name><hook_url>${url}</hook_url>${extra}<alert_format>json</alert_format></integration>`;

/** Passes of the loop until the outbox has nothing queued (or held) left. */
async function drained(w: World): Promise<void> {
  await waitFor(async () => {
    await w.app.notifications.tick();
    await w.app.notifications.sender.idle();
    return !w.app.notifications.outbox.counts().some((c) => c.state === 'queued' || c.state === 'held');
  }, 15_000, 'the outbox drained');
}

describe('integrations', () => {
  it('posts Slack\'s attachment and Wazuh\'s JSON alert with the block, filtered by level, rule and group', async () => {
    const slack = await up();
    const custom = await up();
    const dir = makeDir();
    writeConfig(dir, [
      integration('slack', `${slack.url}/services/T0/B0/x`, '<level>5</level>'),
      integration('custom-ops', `${custom.url}/hook`, '<api_key>k-123</api_key><group>authentication_failures</group>'),
    ].join('\n'));
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.30'), 'probe from 203.0.113.31');
    await drained(world);
    expect(slack.requests).toHaveLength(1);
    expect(custom.requests).toHaveLength(1);
    const att = (slack.requests[0]!.body as { attachments: Array<Record<string, unknown>> }).attachments[0]!;
    expect(att).toMatchObject({ color: 'danger', pretext: 'Portcullis Alert', title: 'testd: attack', title_link: 'http://portcullis.test:8787/ips/203.0.113.30' });
    expect(att.fields).toContainEqual({ title: 'Rule ID', value: '100301 _(Level 10)_' });
    expect((att.fields as Array<{ title: string; value: string }>).find((f) => f.title === 'Response')?.value).toMatch(/^blocked: 203\.0\.113\.30 with fake for 600 s/);
    const alert = custom.requests[0]!.body as { timestamp: string; full_log: string; id: unknown };
    expect(custom.requests[0]!.headers.authorization).toBe('Bearer k-123');
    expect(alert).toMatchObject({
      rule: { level: 10, description: 'testd: attack', id: '100301', groups: ['testd', 'portcullis_block', 'authentication_failures'] },
      agent: { id: '000' }, decoder: { name: 'testd' }, location: '/var/log/test.log',
      data: { srcip: '203.0.113.30', dstuser: 'root', filename: '/etc/passwd', url: '/login' },
      portcullis: { block: { ip: '203.0.113.30', command: 'fake', action: 'created', timeout: 600 }, timeline_url: 'http://portcullis.test:8787/ips/203.0.113.30' },
    });
    expect(alert.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(alert.full_log).toContain('attack from 203.0.113.30');
    expect(typeof alert.id).toBe('string');
  });

  it('retries a receiver that is down until it is up, and delivers once', async () => {
    const port = await freePort();
    const dir = makeDir();
    writeConfig(dir, integration('custom-down', `http://127.0.0.1:${port}/hook`), '<notify_max_attempts>1000</notify_max_attempts>');
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.40'));
    // Down: several attempts fail, each one recorded with its error.
    await waitFor(() => (world!.app.notifications.service.history({}).items[0]?.attempts.length ?? 0) >= 4, 15_000, 'four failed attempts');
    const failing = world.app.notifications.service.history({}).items[0]!;
    expect(failing.state).toBe('queued');
    expect(failing.last_error).toMatch(/ECONNREFUSED/);
    // Up at the same address: delivered, once.
    const r = await up(port);
    await waitFor(() => r.requests.length === 1, 15_000, 'the delivery');
    await drained(world);
    expect(r.requests).toHaveLength(1);
    const item = world.app.notifications.service.history({}).items[0]!;
    expect(item.state).toBe('sent');
    expect(item.attempts.at(-1)).toMatchObject({ ok: true, error: null });
    expect(item.attempts.filter((a) => !a.ok).length).toBeGreaterThanOrEqual(4);
    const metrics = world.app.notifications.metrics();
    expect(metrics).toMatch(/portcullis_notifications_sent_total\{channel="webhook"\} 1/);
    expect(metrics).toMatch(/portcullis_notifications_failed_total\{channel="webhook"\} ([4-9]|\d\d+)/);
  });

  it('a delivery sent again (the receiver got it, its answer was lost) carries the same idempotency headers', async () => {
    const hook = await up(undefined, 1);
    const dir = makeDir();
    writeConfig(dir, integration('custom-ops', `${hook.url}/hook`));
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.36'));
    await drained(world);
    expect(hook.requests).toHaveLength(2);
    const item = world.app.notifications.service.history({}).items.find((i) => i.kind === 'alert')!;
    expect(item.attempts.map((a) => a.ok)).toEqual([false, true]);
    const [first, second] = hook.requests;
    expect(first!.headers['x-portcullis-delivery']).toBe(String(item.id));
    expect(first!.headers['x-portcullis-alert']).toBe(String(item.alert_id));
    expect((first!.body as { id: string }).id).toBe(String(item.alert_id));
    expect(second!.headers['x-portcullis-delivery']).toBe(first!.headers['x-portcullis-delivery']);
    expect(second!.headers['x-portcullis-alert']).toBe(first!.headers['x-portcullis-alert']);
    expect(second!.body).toEqual(first!.body);
  });

  it('a delivery pending at a restart is sent once after it, and alerts committed but not queued are caught up', async () => {
    const port = await freePort();
    const dir = makeDir();
    writeConfig(dir, integration('custom-restart', `http://127.0.0.1:${port}/hook`), '<notify_max_attempts>1000</notify_max_attempts>');
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.50'));
    await waitFor(() => (world!.app.notifications.service.history({}).items[0]?.attempts.length ?? 0) >= 1, 15_000, 'a failed attempt');
    // An alert committed while the notifier did not read it (as in a crash between the two commits).
    world.app.notifications.outbox.setCursor('alerts', 0);
    const before = world.app.notifications.outbox.history({ limit: 10 }).length;
    await world.restart();
    expect(world.app.notifications.outbox.history({ limit: 10 })).toHaveLength(before);
    const r = await up(port);
    await waitFor(() => r.requests.length === 1, 15_000, 'the delivery after the restart');
    await drained(world);
    expect(r.requests).toHaveLength(1);
    expect((r.requests[0]!.body as { data: { srcip: string } }).data.srcip).toBe('203.0.113.50');
  });

  it('tells about block events: added and released by someone, as filtered by notify_blocks', async () => {
    const all = await up();
    const failedOnly = await up();
    const dir = makeDir();
    writeConfig(dir, [
      integration('custom-all', `${all.url}/all`, '<rule_id>1</rule_id>'),
      integration('custom-failed', `${failedOnly.url}/failed`, '<rule_id>1</rule_id>').replace('<integration>', '<integration notify_blocks="failed">'),
    ].join('\n'), '<notify_blocks>added,released,expired</notify_blocks>');
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.60'));
    await waitFor(async () => {
      await world!.app.notifications.tick();
      return all.requests.length >= 1;
    }, 15_000, 'block added');
    const block = world.app.activeResponse.deps.blocks.list({ limit: 10 })[0]!;
    const admin = await signIn(world.app, 'admin');
    const res = await world.app.inject({ method: 'POST', url: `/api/blocks/${block.id}/release`, headers: admin.headers, payload: { reason: 'a customer' } });
    expect(res.statusCode).toBe(200);
    await waitFor(async () => {
      await world!.app.notifications.tick();
      return all.requests.length >= 2;
    }, 15_000, 'block released');
    await drained(world);
    const events = all.requests.map((q) => (q.body as { portcullis: { event: string; block: { ip: string; actor: string | null } } }).portcullis);
    expect(events.map((e) => e.event)).toEqual(['block-added', 'block-released']);
    expect(events[1]!.block).toMatchObject({ ip: '203.0.113.60', actor: expect.stringMatching(/^admin\d+$/) });
    expect((all.requests[1]!.body as { rule: { description: string } }).rule.description).toMatch(/^Block released: 203\.0\.113\.60 was released by admin\d+: a customer\.$/);
    // Its own filter (failed only) wins over the global list; its rule filter let no alert through.
    expect(failedOnly.requests).toHaveLength(0);
  });
});
