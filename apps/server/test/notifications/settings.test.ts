// The config's notification elements: errors with file, line and column; the dashboard's API
// reading them (hook URLs masked for viewers), saving them back into the config with the rest of
// the file as it was, and a test sent to a saved destination.
import { readFileSync } from 'node:fs';
import { RulesetError } from '@portcullis/engine';
import type { NotificationSettings, NotifyHistoryItem } from '@portcullis/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOssecConfig } from '../../src/config/ossec-config.js';
import { signIn } from '../server/helpers.js';
import { makeDir, receiver, startWorld, writeConfig, type Receiver, type World } from './helpers.js';

let world: World | null = null;
let r: Receiver | null = null;

afterEach(async () => {
  await world?.close();
  await r?.close();
  world = null;
  r = null;
});

function errorOf(xml: string): RulesetError {
  try {
    parseOssecConfig(`<ossec_config>\n${xml}\n</ossec_config>\n`, '/etc/test.conf');
  } catch (err) {
    if (err instanceof RulesetError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('notification settings', () => {
  it('refuses bad values with the file, line and column', () => {
    expect(errorOf('  <global>\n    <email_maxperhour>many</email_maxperhour>\n  </global>')).toMatchObject({ file: '/etc/test.conf', line: 3, column: 5, message: expect.stringContaining('<email_maxperhour> must be a whole number from 1 to 9999, not "many"') });
    expect(errorOf('  <integration><name>pagerduty</name><hook_url>https://x</hook_url></integration>')).toMatchObject({ line: 2, column: 3, message: expect.stringContaining('custom-<something>') });
    expect(errorOf('  <integration>\n    <name>slack</name>\n    <hook_url>ftp://x</hook_url>\n  </integration>')).toMatchObject({ line: 4, message: expect.stringContaining('must start with http:// or https://') });
    expect(errorOf('  <email_alerts>\n    <email_to>ops@example.com</email_to>\n    <format>html</format>\n  </email_alerts>')).toMatchObject({ line: 4, column: 5 });
    expect(errorOf('  <portcullis><smtp><password>x</password></smtp></portcullis>').message).toMatch(/password_file.*PORTCULLIS_SMTP_PASSWORD/);
    expect(errorOf('  <portcullis><notify_blocks>added,exploded</notify_blocks></portcullis>').message).toMatch(/"exploded" is not a block event/);
    expect(errorOf('  <global><email_notification>yes</email_notification><email_to>a@b.c</email_to></global>').message).toMatch(/needs <smtp_server>/);
  });

  it('shows the settings, saves them into the config keeping the rest of the file, and sends a test', async () => {
    r = receiver();
    await r.listen();
    const dir = makeDir();
    const configPath = writeConfig(dir, `  <global>
    <!-- the admin's own note -->
    <white_list>192.0.2.1</white_list>
    <email_notification>no</email_notification>
  </global>
  <integration><name>slack</name><hook_url>https://hooks.slack.test/services/SECRET</hook_url><api_key>old-key</api_key></integration>`);
    world = await startWorld(dir);
    const viewer = await signIn(world.app, 'viewer');
    const admin = await signIn(world.app, 'admin');
    const seen = (await world.app.inject({ method: 'GET', url: '/api/notifications', headers: viewer.headers })).json() as NotificationSettings;
    expect(seen.integrations[0]).toMatchObject({ name: 'slack', hook_url: 'https://hooks.slack.test/…', api_key_set: true });
    expect(seen.editable).toBe(false);
    const current = (await world.app.inject({ method: 'GET', url: '/api/notifications', headers: admin.headers })).json() as NotificationSettings;
    expect(current.integrations[0]!.hook_url).toBe('https://hooks.slack.test/services/SECRET');
    const body = {
      base_hash: current.hash,
      email: { ...current.email, enabled: true, to: ['ops@example.com'], from: 'ids@example.com', smtp_server: 'mail.example.com', alert_level: 9 },
      email_alerts: [],
      integrations: [...current.integrations, { name: 'custom-ops', hook_url: `${r.url}/hook`, level: 3, rule_id: [], group: [], event_location: null, notify_blocks: ['added'] }],
      notify_blocks: ['failed'],
    };
    expect((await world.app.inject({ method: 'PUT', url: '/api/notifications', headers: viewer.headers, payload: body })).statusCode).toBe(403);
    const bad = await world.app.inject({ method: 'PUT', url: '/api/notifications', headers: admin.headers, payload: { ...body, integrations: [{ ...body.integrations[1], name: 'teams' }] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ ok: false, issues: [{ field: 'integrations.0', message: expect.stringContaining('custom-') }] });
    const saved = await world.app.inject({ method: 'PUT', url: '/api/notifications', headers: admin.headers, payload: body });
    expect(saved.statusCode).toBe(200);
    const text = readFileSync(configPath, 'utf8');
    expect(text).toContain("<!-- the admin's own note -->\n    <white_list>192.0.2.1</white_list>\n    <email_notification>yes</email_notification>\n    <email_to>ops@example.com</email_to>");
    expect(text).toContain('<api_key>old-key</api_key>');
    expect(text).toContain('<integration notify_blocks="added">');
    expect(text).toContain('<alerts>\n    <email_alert_level>9</email_alert_level>\n  </alerts>');
    expect(text).toContain('<notify_blocks>failed</notify_blocks>');
    expect(world.app.ruleset.context.cfg.notifications.integrations.map((i) => i.name)).toEqual(['slack', 'custom-ops']);
    // The saved webhook gets a test.
    const dest = (saved.json() as NotificationSettings).destinations.find((d) => d.label === 'custom-ops')!;
    const test = await world.app.inject({ method: 'POST', url: '/api/notifications/test', headers: admin.headers, payload: { destination: dest.key } });
    expect(test.json()).toMatchObject({ state: 'sent', kind: 'test' } satisfies Partial<NotifyHistoryItem>);
    expect(r.requests).toHaveLength(1);
    expect((r.requests[0]!.body as { rule: { id: string } }).rule.id).toBe('portcullis-test');
    const history = (await world.app.inject({ method: 'GET', url: '/api/notifications/history', headers: viewer.headers })).json() as { items: NotifyHistoryItem[] };
    expect(history.items[0]).toMatchObject({ label: 'custom-ops', state: 'sent', attempts: [{ ok: true }] });
  });

  it('edits an <email_alerts> rule, an integration in place and <portcullis><smtp> (never a password) through the same save, the rest of the file as it was', async () => {
    const dir = makeDir();
    const configPath = writeConfig(dir, `  <global>
    <email_notification>yes</email_notification>
    <email_to>ops@example.com</email_to>
    <smtp_server>mail.example.com</smtp_server>
    <email_from>ids@example.com</email_from>
  </global>
  <!-- paging: keep this note -->
  <email_alerts>
    <email_to>pager@example.com</email_to>
    <level>10</level>
  </email_alerts>
  <integration><name>custom-ops</name><hook_url>https://ops.example.test/old</hook_url><api_key>ops-key</api_key><level>5</level></integration>`,
    '<smtp><port>2525</port></smtp>');
    const before = readFileSync(configPath, 'utf8');
    world = await startWorld(dir);
    const admin = await signIn(world.app, 'admin');
    const viewer = await signIn(world.app, 'viewer');
    const current = (await world.app.inject({ method: 'GET', url: '/api/notifications', headers: admin.headers })).json() as NotificationSettings;
    expect(current.smtp).toEqual({ port: 2525, starttls: null, tls: false, user: null, password_file: null, ca_file: null, insecure_tls: false, password_from: null });
    const body = {
      base_hash: current.hash, email: current.email, notify_blocks: current.notify_blocks,
      email_alerts: [{ ...current.email_alerts[0]!, to: ['pager@example.com', 'night@example.com'], level: 12, group: 'authentication_failures', format: 'sms' as const, do_not_group: true }],
      integrations: [{ ...current.integrations[0]!, hook_url: 'https://ops.example.test/new', level: 8, group: ['sshd'] }],
      smtp: { port: 587, starttls: true, tls: false, user: 'mailer', password_file: '/etc/portcullis/smtp.pass', ca_file: null, insecure_tls: false, password: 'must-not-be-kept' },
    };
    // Validated as the config is: TLS from the start and STARTTLS exclude each other.
    const bad = await world.app.inject({ method: 'PUT', url: '/api/notifications', headers: admin.headers, payload: { ...body, smtp: { ...body.smtp, tls: true } } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ issues: [{ field: 'smtp', message: expect.stringContaining('exclude each other') }] });
    const noUser = await world.app.inject({ method: 'PUT', url: '/api/notifications', headers: admin.headers, payload: { ...body, smtp: { ...body.smtp, user: null } } });
    expect(noUser.json()).toMatchObject({ issues: [{ field: 'smtp', message: expect.stringContaining('<password_file> needs a <user>') }] });
    expect(readFileSync(configPath, 'utf8')).toBe(before);

    const saved = await world.app.inject({ method: 'PUT', url: '/api/notifications', headers: admin.headers, payload: body });
    expect(saved.statusCode).toBe(200);
    const text = readFileSync(configPath, 'utf8');
    expect(text).not.toContain('must-not-be-kept');
    expect(text).toContain('<smtp><port>587</port><starttls>yes</starttls><user>mailer</user><password_file>/etc/portcullis/smtp.pass</password_file></smtp>');
    expect(text).toContain('<!-- paging: keep this note -->');
    expect(text).toContain('<email_to>pager@example.com</email_to>\n    <email_to>night@example.com</email_to>\n    <level>12</level>\n    <group>authentication_failures</group>\n    <format>sms</format>\n    <do_not_group />');
    expect(text).toContain('<hook_url>https://ops.example.test/new</hook_url>\n    <api_key>ops-key</api_key>\n    <level>8</level>');
    expect(text).not.toContain('/old');
    // Outside the edited elements, line for line as it was.
    const outside = (t: string) => t.split('\n').filter((l) => l.trim() !== '' && !/email_alerts|email_to|<level>|<group>|<format>|do_not_group|integration|<name>|hook_url|api_key|alert_format|<smtp>/.test(l));
    expect(outside(text)).toEqual(outside(before));
    const cfg = world.app.ruleset.context.cfg.notifications;
    expect(cfg.smtp).toMatchObject({ port: 587, starttls: true, user: 'mailer', passwordFile: '/etc/portcullis/smtp.pass' });
    expect(cfg.emailRules[0]).toMatchObject({ to: ['pager@example.com', 'night@example.com'], level: 12, format: 'sms', doNotGroup: true });
    expect(cfg.integrations.map((i) => [i.name, i.hookUrl, i.apiKey, i.level])).toEqual([['custom-ops', 'https://ops.example.test/new', 'ops-key', 8]]);
    // Renamed in place, its key left empty in the form: the key stays with it.
    const renamed = await world.app.inject({ method: 'PUT', url: '/api/notifications', headers: admin.headers, payload: {
      ...body, base_hash: (saved.json() as NotificationSettings).hash, smtp: undefined,
      integrations: [{ ...(saved.json() as NotificationSettings).integrations[0]!, name: 'custom-pager' }],
    } });
    expect(renamed.statusCode).toBe(200);
    expect(world.app.ruleset.context.cfg.notifications.integrations.map((i) => [i.name, i.apiKey])).toEqual([['custom-pager', 'ops-key']]);
    const after = saved.json() as NotificationSettings;
    expect(after.smtp).toEqual({ port: 587, starttls: true, tls: false, user: 'mailer', password_file: '/etc/portcullis/smtp.pass', ca_file: null, insecure_tls: false, password_from: 'file' });
    expect(JSON.stringify(after)).not.toContain('must-not-be-kept');
    // Viewers do not see where the secrets are.
    const seen = (await world.app.inject({ method: 'GET', url: '/api/notifications', headers: viewer.headers })).json() as NotificationSettings;
    expect(seen.smtp).toMatchObject({ user: 'mailer', password_file: null, password_from: 'file' });
    // Nothing of it in the database: the revision and the audit hold the config, which has no password.
    const dump = JSON.stringify(world.app.db.prepare("SELECT * FROM audit").all());
    expect(dump).not.toContain('must-not-be-kept');
  });

  it('keeps a value left empty in a form unset through the API (a null level is no <level>0</level>, which would mail every alert)', async () => {
    const dir = makeDir();
    const configPath = writeConfig(dir, '', '<smtp><port>2525</port></smtp>');
    world = await startWorld(dir);
    const admin = await signIn(world.app, 'admin');
    const current = (await world.app.inject({ method: 'GET', url: '/api/notifications', headers: admin.headers })).json() as NotificationSettings;
    const saved = await world.app.inject({
      method: 'PUT', url: '/api/notifications', headers: admin.headers, payload: {
        base_hash: current.hash, email: current.email, notify_blocks: [],
        email_alerts: [{ to: ['pager@example.com'], level: null, group: null, event_location: null, rule_id: [], format: 'full', do_not_delay: false, do_not_group: false }],
        integrations: [{ name: 'custom-ops', hook_url: 'https://ops.example.test/hook', level: null, rule_id: [], group: [], event_location: null, notify_blocks: null }],
        smtp: { port: null, starttls: null, tls: false, user: null, password_file: null, ca_file: null, insecure_tls: false },
      },
    });
    expect(saved.statusCode).toBe(200);
    const text = readFileSync(configPath, 'utf8');
    expect(text).not.toMatch(/<level>|<smtp>|<event_location>|<group>|notify_blocks=/);
    const cfg = world.app.ruleset.context.cfg.notifications;
    expect(cfg.emailRules[0]).toMatchObject({ level: null, group: null, eventLocation: null });
    expect(cfg.integrations[0]).toMatchObject({ level: null, blocks: null });
    expect(cfg.smtp.port).toBeNull();
    // Still refused when of the wrong type, saying where.
    const wrong = await world.app.inject({ method: 'PUT', url: '/api/notifications', headers: admin.headers, payload: {
      base_hash: 'x', email: current.email, notify_blocks: [], email_alerts: [], smtp: undefined,
      integrations: [{ name: 'custom-ops', hook_url: 'https://ops.example.test/hook', level: 'high', rule_id: [], group: [], event_location: null, notify_blocks: null }],
    } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('body.integrations.0.level');
  });
});
