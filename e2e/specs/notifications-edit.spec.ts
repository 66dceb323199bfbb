// Editing notifications in place in the browser: an admin changes a webhook's URL and filters
// (its test then reaches the new URL), adds and edits an OSSEC <email_alerts> rule (a bad address
// is refused with the field, the config untouched), and sets the SMTP relay with a password file;
// each save lands in the config file, the rest of it as it was, and no password is ever written.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { menu, shot, signIn } from '../support/fixtures';
import { startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;
let server: Server;
let base = '';
const received: Array<{ path: string; delivery: string | undefined; body: Record<string, unknown> }> = [];

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', delivery: req.headers['x-portcullis-delivery'] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

const configText = () => readFileSync(join(p.home, 'etc', 'portcullis.conf'), 'utf8');

test('an admin edits a webhook and an e-mail rule in place and sets the SMTP relay, all saved into the config', async ({ page }, info) => {
  const untouched = configText().split('\n').filter((l) => /<ruleset>|<rule_include>|<localfile>|<active-response>/.test(l));
  await signIn(page, p, 'admin');
  await menu(page, 'Notifications');
  await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible();

  // A webhook, then the same one edited in place: a new URL and filters.
  await page.getByRole('button', { name: 'Add a webhook' }).click();
  const add = page.getByRole('form', { name: 'New integration' });
  await add.getByLabel('Name').fill('custom-ops');
  await add.getByLabel('Hook URL').fill(`${base}/old`);
  await add.getByLabel('API key').fill('k-secret');
  await add.getByRole('button', { name: 'Save integration' }).click();
  const integrations = page.getByRole('table', { name: 'Integrations' });
  await expect(integrations.getByRole('row').filter({ hasText: 'custom-ops' })).toContainText(`${base}/old`);
  // No minimum level typed: every alert (not level 0 written by a coerced null).
  await expect(integrations.getByRole('row').filter({ hasText: 'custom-ops' }).getByRole('cell').nth(2)).toHaveText('all');

  await integrations.getByRole('row').filter({ hasText: 'custom-ops' }).getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit integration custom-ops' });
  await expect(edit.getByLabel('Hook URL')).toHaveValue(`${base}/old`);
  await expect(edit.getByLabel('API key')).toHaveValue('');
  await edit.getByLabel('Hook URL').fill(`${base}/new`);
  await edit.getByLabel('Minimum level').fill('8');
  await edit.getByLabel('Groups').fill('sshd, authentication_failed');
  await shot(page, info, '61-notifications-edit-webhook');
  await edit.getByRole('button', { name: 'Save integration' }).click();
  await expect(page.getByText('Changes to custom-ops saved into the config.')).toBeVisible();
  const row = integrations.getByRole('row').filter({ hasText: 'custom-ops' });
  await expect(row).toContainText(`${base}/new`);
  await expect(row).toContainText('level ≥ 8, groups sshd, authentication_failed');
  await expect(integrations.getByRole('row')).toHaveCount(2);
  let text = configText();
  expect(text).toContain(`<hook_url>${base}/new</hook_url>`);
  expect(text).not.toContain(`${base}/old`);
  // The key typed once is kept by the edit that left it empty.
  expect(text).toContain('<api_key>k-secret</api_key>');
  await row.getByRole('button', { name: 'Send a test' }).click();
  await expect(page.getByText('Test sent to custom-ops.')).toBeVisible();
  expect(received.map((r) => r.path)).toEqual(['/new']);
  expect(received[0]!.delivery).toMatch(/^\d+$/);

  // An OSSEC <email_alerts> rule: added, refused with its field when the address is bad, edited.
  await page.getByRole('button', { name: 'Add a rule' }).click();
  const newRule = page.getByRole('form', { name: 'New e-mail rule' });
  await newRule.getByLabel('To').fill('pager@example.com');
  await newRule.getByLabel('Minimum level').fill('10');
  await newRule.getByLabel('Format').selectOption('sms');
  await newRule.getByRole('button', { name: 'Save rule' }).click();
  const rules = page.getByRole('table', { name: 'Granular e-mail alerts' });
  await expect(rules.getByRole('row').filter({ hasText: 'pager@example.com' })).toContainText('sms');

  await rules.getByRole('row').filter({ hasText: 'pager@example.com' }).getByRole('button', { name: 'Edit' }).click();
  const editRule = page.getByRole('form', { name: 'Edit e-mail rule to pager@example.com' });
  await expect(editRule.getByLabel('Minimum level')).toHaveValue('10');
  const before = configText();
  await editRule.getByLabel('To').fill('pager@example.com, night-shift');
  await editRule.getByRole('button', { name: 'Save rule' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'email_alerts.0' })).toContainText('must be an e-mail address (user@domain), not "night-shift"');
  expect(configText()).toBe(before);
  await editRule.getByLabel('To').fill('pager@example.com, night@example.com');
  await editRule.getByLabel('Minimum level').fill('12');
  await editRule.getByLabel('Group', { exact: true }).fill('authentication_failed|invalid_login');
  await editRule.getByLabel('Each alert alone').check();
  await editRule.getByRole('button', { name: 'Save rule' }).click();
  await expect(page.getByText('Changes to the e-mail rule to pager@example.com, night@example.com saved into the config.')).toBeVisible();
  const ruleRow = rules.getByRole('row').filter({ hasText: 'night@example.com' });
  await expect(ruleRow).toContainText('12');
  await expect(ruleRow).toContainText('sms, not grouped');
  text = configText();
  expect(text).toMatch(/<email_alerts>\s*<email_to>pager@example\.com<\/email_to>\s*<email_to>night@example\.com<\/email_to>\s*<level>12<\/level>\s*<group>authentication_failed\|invalid_login<\/group>\s*<format>sms<\/format>\s*<do_not_group \/>\s*<\/email_alerts>/);

  // The SMTP relay: a port, STARTTLS, a login whose password is in a file (never typed here).
  const smtp = page.getByRole('form', { name: 'SMTP settings' });
  await expect(smtp).toContainText('PORTCULLIS_SMTP_PASSWORD');
  await smtp.getByLabel('Port').fill('587');
  await smtp.getByLabel('Security').selectOption('starttls');
  await smtp.getByLabel('User').fill('mailer');
  await smtp.getByLabel('Password file').fill('/etc/portcullis/smtp.pass');
  await smtp.getByRole('button', { name: 'Save SMTP settings' }).click();
  await expect(page.getByText('SMTP settings saved into the config.')).toBeVisible();
  await expect(page.getByRole('form', { name: 'SMTP settings' })).toContainText('read from the password file');
  await expect(page.getByLabel('SMTP server')).toBeVisible();
  text = configText();
  expect(text).toContain('<smtp><port>587</port><starttls>yes</starttls><user>mailer</user><password_file>/etc/portcullis/smtp.pass</password_file></smtp>');
  expect(text).not.toMatch(/<password>/);
  // The rest of the file as it was.
  expect(text.split('\n').filter((l) => /<ruleset>|<rule_include>|<localfile>|<active-response>/.test(l))).toEqual(untouched);
  await expect(page.getByRole('form', { name: 'SMTP settings' }).getByLabel('Port')).toHaveValue('587');
  await page.getByRole('form', { name: 'SMTP settings' }).scrollIntoViewIfNeeded();
  await shot(page, info, '62-notifications-edit-smtp');
});
