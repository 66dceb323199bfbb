// OSSEC's e-mail alerts against a real SMTP server on loopback (smtp-server): the level threshold,
// alert_by_email and no_email_alert, granular <email_alerts>, email_maxperhour grouping into one
// digest, and STARTTLS with authentication (a self-signed certificate made with openssl).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attack } from '../active-response/helpers.js';
import { bodyOf, makeDir, selfSigned, startSmtp, startWorld, waitFor, writeConfig, type Smtp, type World } from './helpers.js';

let world: World | null = null;
let smtp: Smtp | null = null;

afterEach(async () => {
  await world?.close();
  await smtp?.close();
  world = null;
  smtp = null;
});

/** OSSEC's grouping of alerts arriving close together, off: these tests count single mails. */
const NO_GROUPING = '<email_group_seconds>0</email_group_seconds>';

const global = (extra = '') => `  <global>
    <email_notification>yes</email_notification>
    <email_to>admin@example.com</email_to>
    <smtp_server>127.0.0.1</smtp_server>
    <email_from>portcullis@example.com</email_from>
    ${extra}
  </global>`;

describe('e-mail alerts', () => {
  it('mails alerts from email_alert_level up, those with alert_by_email, never those with no_email_alert; with the block and the timeline', async () => {
    smtp = await startSmtp();
    const dir = makeDir();
    writeConfig(dir, global(), `<smtp><port>${smtp.port}</port></smtp>${NO_GROUPING}`);
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.7'), 'probe from 203.0.113.8', 'urgent call', 'quiet please');
    await waitFor(() => smtp!.mails.length >= 2, 10_000, 'two mails');
    await world.app.notifications.tick();
    await world.app.notifications.sender.idle();
    expect(smtp.mails).toHaveLength(2);
    const subjects = smtp.mails.map((m) => m.subject).sort();
    expect(subjects).toEqual(['Portcullis Notification - host1 - Alert level 10', 'Portcullis Notification - host1 - Alert level 3']);
    const attackMail = smtp.mails.find((m) => m.subject.endsWith('level 10'))!;
    expect(attackMail.to).toEqual(['admin@example.com']);
    expect(attackMail.from).toBe('portcullis@example.com');
    const body = bodyOf(attackMail);
    expect(body).toContain('Received From: host1->/var/log/test.log');
    expect(body).toContain('Rule: 100301 fired (level 10) -> "testd: attack"');
    expect(body).toContain('Src IP: 203.0.113.7');
    expect(body).toMatch(/Response: blocked: 203\.0\.113\.7 with fake for 600 s, offense 1 \(block \d+\)/);
    expect(body).toContain('Timeline: http://portcullis.test:8787/ips/203.0.113.7');
    expect(bodyOf(smtp.mails.find((m) => m.subject.endsWith('level 3'))!)).toContain('Rule: 100303 fired (level 3)');
    // The history says what went where.
    const items = world.app.notifications.service.history({}).items;
    expect(items.map((i) => [i.state, i.attempts.length])).toEqual([['sent', 1], ['sent', 1]]);
  });

  it('sends granular <email_alerts> by group, rule id and location, in the full or sms format', async () => {
    smtp = await startSmtp();
    const dir = makeDir();
    writeConfig(dir, `${global()}
  <email_alerts><email_to>pager@example.com</email_to><group>authentication_failures|^nothing,</group><format>sms</format></email_alerts>
  <email_alerts><email_to>probes@example.com</email_to><rule_id>100302</rule_id><level>2</level></email_alerts>
  <email_alerts><email_to>elsewhere@example.com</email_to><event_location>/var/log/other.log</event_location></email_alerts>`, `<smtp><port>${smtp.port}</port></smtp>${NO_GROUPING}`);
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.9'), 'probe from 203.0.113.10');
    await waitFor(() => smtp!.mails.length >= 3, 10_000, 'three mails');
    await world.app.notifications.tick();
    await world.app.notifications.sender.idle();
    const byTo = new Map(smtp.mails.map((m) => [m.to.join(','), m]));
    expect([...byTo.keys()].sort()).toEqual(['admin@example.com', 'pager@example.com', 'probes@example.com']);
    expect(byTo.get('pager@example.com')!.subject).toBe('Portcullis 10 - 100301 - host1');
    const sms = bodyOf(byTo.get('pager@example.com')!);
    expect(sms).toContain('Rule: 100301 (level 10) testd: attack');
    expect(sms).not.toContain('Portion of the log');
    expect(byTo.get('probes@example.com')!.subject).toBe('Portcullis Notification - host1 - Alert level 3');
  });

  it('past email_maxperhour holds the rest and sends them in the next hour as one digest, by the injected clock (any wall time)', async () => {
    smtp = await startSmtp();
    const dir = makeDir();
    writeConfig(dir, global('<email_maxperhour>2</email_maxperhour>'), `<smtp><port>${smtp.port}</port></smtp>${NO_GROUPING}`);
    // One millisecond before an hour boundary: with the wall clock anywhere in the sender this
    // would split across two hours. Every time the sender and the hourly count use is this one.
    const hour = Date.UTC(2030, 0, 1, 11);
    let clock = hour - 1;
    world = await startWorld(dir, {}, { now: () => clock });
    for (let i = 1; i <= 5; i++) await world.feed(attack(`198.51.100.${i}`));
    await waitFor(() => world!.app.notifications.outbox.counts().find((c) => c.state === 'held')?.n === 3, 10_000, 'three held');
    await world.app.notifications.sender.idle();
    expect(smtp.mails).toHaveLength(2);
    const held = world.app.notifications.service.history({ state: 'held' }).items;
    expect(held.map((h) => [h.created_at, h.next_at])).toEqual(Array(3).fill(['2030-01-01T10:59:59.999Z', '2030-01-01T11:00:00.000Z']));
    expect(world.app.notifications.service.history({ state: 'sent' }).items.map((h) => h.sent_at)).toEqual(['2030-01-01T10:59:59.999Z', '2030-01-01T10:59:59.999Z']);
    // The next hour: the three held alerts go as one mail.
    clock = hour;
    await world.app.notifications.tick();
    await waitFor(() => smtp!.mails.length === 3, 10_000, 'the digest');
    await world.app.notifications.tick();
    await world.app.notifications.sender.idle();
    expect(smtp.mails).toHaveLength(3);
    const digest = smtp.mails[2]!;
    expect(digest.subject).toMatch(/ - 3 alerts grouped$/);
    const body = bodyOf(digest);
    for (const ip of ['198.51.100.3', '198.51.100.4', '198.51.100.5']) expect(body).toContain(`Src IP: ${ip}`);
    expect(body).not.toContain('Src IP: 198.51.100.1\n');
    const history = world.app.notifications.service.history({}).items;
    expect(history.filter((h) => h.state === 'grouped')).toHaveLength(3);
    expect(history.find((h) => h.kind === 'digest')).toMatchObject({ state: 'sent', sent_at: '2030-01-01T11:00:00.000Z' });
  });

  it('sends over STARTTLS with a login, trusting the relay by <ca_file>, the password from <password_file>', async () => {
    const dir = makeDir();
    const { key, cert } = selfSigned(dir);
    smtp = await startSmtp({
      key: readFileSync(key), cert: readFileSync(cert), authOptional: false, authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, session, cb) {
        if (!session.secure) return cb(new Error('TLS first'));
        if (auth.username === 'mailer' && auth.password === 's3cret pass') return cb(null, { user: 'mailer' });
        return cb(new Error('bad login'));
      },
    });
    writeFileSync(path.join(dir, 'smtp.pass'), 's3cret pass\n', { mode: 0o600 });
    writeConfig(dir, global(), `<smtp><port>${smtp.port}</port><starttls>yes</starttls><user>mailer</user><password_file>smtp.pass</password_file><ca_file>smtp.crt</ca_file></smtp>${NO_GROUPING}`);
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.20'));
    await waitFor(() => smtp!.mails.length === 1, 10_000, 'a mail over TLS');
    expect(smtp.mails[0]).toMatchObject({ secure: true, user: 'mailer', to: ['admin@example.com'] });
  });

  it('groups alerts to one destination arriving close together into one mail, as OSSEC does, bounded by email_group_max; do_not_delay and do_not_group go at once, alone', async () => {
    smtp = await startSmtp();
    const dir = makeDir();
    writeConfig(dir, `${global()}
  <email_alerts><email_to>oncall@example.com</email_to><rule_id>100301</rule_id><do_not_delay /></email_alerts>
  <email_alerts><email_to>solo@example.com</email_to><rule_id>100301</rule_id><do_not_group /></email_alerts>`,
    `<smtp><port>${smtp.port}</port></smtp><email_group_seconds>5</email_group_seconds><email_group_max>3</email_group_max>`);
    const start = Date.UTC(2030, 5, 1, 8, 30);
    let clock = start;
    world = await startWorld(dir, {}, { now: () => clock });
    const to = (who: string) => smtp!.mails.filter((m) => m.to.join() === who);
    for (let i = 1; i <= 4; i++) await world.feed(attack(`192.0.2.${i}`));
    // At once: each alone to oncall (do_not_delay) and solo (do_not_group); to admin the first
    // three in one mail (the group is full), the fourth waits for the window.
    await waitFor(() => to('oncall@example.com').length === 4 && to('solo@example.com').length === 4 && to('admin@example.com').length === 1, 10_000, 'the mails that go at once');
    await world.app.notifications.tick();
    await world.app.notifications.sender.idle();
    expect(to('admin@example.com')).toHaveLength(1);
    expect(to('oncall@example.com').map((m) => m.subject)).toEqual(Array(4).fill('Portcullis Notification - host1 - Alert level 10'));
    const grouped = to('admin@example.com')[0]!;
    expect(grouped.subject).toMatch(/^Portcullis Notification - .+ - 3 alerts grouped$/);
    const body = bodyOf(grouped);
    expect(body).toContain('3 alerts arriving close together');
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) expect(body).toContain(`Src IP: ${ip}`);
    expect(body).not.toContain('Src IP: 192.0.2.4');
    const waiting = world.app.notifications.service.history({ state: 'queued' }).items;
    expect(waiting.map((w) => [w.label, w.next_at])).toEqual([['e-mail to admin@example.com', new Date(start + 5_000).toISOString()]]);
    // Still within the window: nothing more.
    clock = start + 4_999;
    await world.app.notifications.tick();
    await world.app.notifications.sender.idle();
    expect(to('admin@example.com')).toHaveLength(1);
    // The window closed with no other alert: the fourth goes alone, as itself.
    clock = start + 5_000;
    await world.app.notifications.tick();
    await waitFor(() => to('admin@example.com').length === 2, 10_000, 'the fourth alone');
    expect(to('admin@example.com')[1]!.subject).toBe('Portcullis Notification - host1 - Alert level 10');
    expect(bodyOf(to('admin@example.com')[1]!)).toContain('Src IP: 192.0.2.4');
    const history = world.app.notifications.service.history({}).items;
    expect(history.filter((h) => h.state === 'grouped' && h.label === 'e-mail to admin@example.com')).toHaveLength(3);
    expect(smtp.mails).toHaveLength(10);
  });

  it('an alert arriving within the window restarts it; a steady stream still goes out after email_group_seconds × 6', async () => {
    smtp = await startSmtp();
    const dir = makeDir();
    writeConfig(dir, global(), `<smtp><port>${smtp.port}</port></smtp><email_group_seconds>10</email_group_seconds>`);
    const start = Date.UTC(2030, 5, 1, 9, 0);
    let clock = start;
    world = await startWorld(dir, {}, { now: () => clock });
    const queued = () => world!.app.notifications.service.history({ state: 'queued' }).items.length;
    // One alert every 9 s: each one keeps the window open, until 60 s after the first.
    for (let i = 0; i < 7; i++) {
      clock = start + i * 9_000;
      await world.feed(attack(`198.51.100.${10 + i}`));
      await waitFor(() => queued() === i + 1, 10_000, `alert ${i + 1} queued`);
      await world.app.notifications.tick();
      await world.app.notifications.sender.idle();
      expect(smtp.mails).toHaveLength(0);
    }
    clock = start + 59_999;
    await world.app.notifications.tick();
    await world.app.notifications.sender.idle();
    expect(smtp.mails).toHaveLength(0);
    clock = start + 60_000;
    await world.app.notifications.tick();
    await waitFor(() => smtp!.mails.length === 1, 10_000, 'the grouped mail');
    expect(smtp.mails[0]!.subject).toMatch(/ - 7 alerts grouped$/);
  });

  it('a mail sent again (the relay took it, its answer said no) carries the same Message-ID', async () => {
    smtp = await startSmtp({}, 1);
    const dir = makeDir();
    writeConfig(dir, global(), `<smtp><port>${smtp.port}</port></smtp>${NO_GROUPING}`);
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.22'));
    await waitFor(() => world!.app.notifications.service.history({}).items[0]?.state === 'sent', 10_000, 'sent on the second attempt');
    const item = world.app.notifications.service.history({}).items[0]!;
    expect(item.attempts.map((a) => a.ok)).toEqual([false, true]);
    expect(smtp.mails).toHaveLength(2);
    const ids = smtp.mails.map((m) => /^Message-ID: (.*)$/im.exec(m.raw)?.[1]?.trim());
    expect(ids[0]).toBe(`<portcullis.${item.id}.${Date.parse(item.created_at)}@example.com>`);
    expect(ids[1]).toBe(ids[0]);
  });

  it('retries a mail the relay refused, and says why in the history', async () => {
    const dir = makeDir();
    const { key, cert } = selfSigned(dir);
    // The relay's certificate is not trusted (no <ca_file>): every attempt fails, and is visible.
    smtp = await startSmtp({ key: readFileSync(key), cert: readFileSync(cert) });
    writeConfig(dir, global(), `<smtp><port>${smtp.port}</port><starttls>yes</starttls></smtp><notify_max_attempts>2</notify_max_attempts>${NO_GROUPING}`);
    world = await startWorld(dir);
    await world.feed(attack('203.0.113.21'));
    await waitFor(() => world!.app.notifications.service.history({}).items[0]?.state === 'failed', 10_000, 'given up');
    const item = world.app.notifications.service.history({}).items[0]!;
    expect(item.attempts).toHaveLength(2);
    expect(item.last_error).toMatch(/certificate/i);
    expect(smtp.mails).toHaveLength(0);
  });
});
