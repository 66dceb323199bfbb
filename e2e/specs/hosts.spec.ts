// The Hosts page: an admin adds web1 through the menu and the dialog, sees its bouncer key and
// ingest token once (with copy buttons and the host's configs), then sees it in the list as a
// bouncer that never pulled; a viewer sees the list and cannot add.
import { expect, test } from '@playwright/test';
import { menu, shot, signIn, signOut } from '../support/fixtures';
import { startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
});

test('an admin adds a host and sees its key once; a viewer sees the list and cannot add', async ({ page, context }, info) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, p, 'admin');
  await menu(page, 'Hosts');
  await expect(page.getByRole('heading', { name: 'Hosts', level: 1 })).toBeVisible();
  await expect(page.getByText('No hosts registered')).toBeVisible();

  await page.getByRole('button', { name: 'Add host' }).click();
  const add = page.getByRole('dialog', { name: 'Add a host' });
  await add.getByLabel('Name').fill('web1');
  await add.getByRole('button', { name: 'Add host' }).click();

  const secrets = page.getByRole('dialog', { name: 'web1 is registered' });
  await expect(secrets.getByText('shown only once')).toBeVisible();
  const key = (await secrets.getByLabel('Bouncer API key', { exact: true }).textContent())!.trim();
  expect(key).toMatch(/^[A-Za-z0-9+/]{43}$/);
  await expect(secrets.getByLabel('Ingest token', { exact: true })).toHaveText(/^pch_/);
  await expect(secrets.getByLabel('Bouncer configuration')).toContainText(`api_key: ${key}`);
  await expect(secrets.getByLabel('Bouncer configuration')).toContainText(`api_url: ${p.url}/`);
  await secrets.getByRole('button', { name: 'Copy Bouncer API key' }).click();
  await expect(secrets.getByRole('button', { name: 'Copy Bouncer API key' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await secrets.getByRole('tab', { name: 'rsyslog (TLS)' }).click();
  await expect(secrets.getByLabel('rsyslog (TLS) configuration')).toContainText('TCP_Framing="octet-counted"');
  await shot(page, info, 'hosts-added');
  await secrets.getByRole('button', { name: 'Done' }).click();
  await expect(secrets).toBeHidden();

  const row = page.locator('tr[data-host="web1"]');
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'stale');
  await expect(row).toContainText('never pulled');
  // shown once: nowhere on the page any more, nor after a reload
  expect(await page.content()).not.toContain(key);
  await page.reload();
  await expect(page.locator('tr[data-host="web1"]')).toBeVisible();
  expect(await page.content()).not.toContain(key);

  // Its bouncer pulls (as crowdsec-firewall-bouncer does at start): the row turns healthy, with its
  // version. One pull: until a second one measures it, the interval is the bouncer's default 10 s.
  const pull = (query: string, apiKey = key) => fetch(`${p.url}/v1/decisions/stream${query}`, { headers: { 'X-Api-Key': apiKey, 'User-Agent': 'crowdsec-firewall-bouncer/v0.0.25-debian' } });
  expect((await pull('?startup=true')).status).toBe(200);
  await expect(page.locator('tr[data-host="web1"]')).toHaveAttribute('data-status', 'healthy');
  await expect(page.locator('tr[data-host="web1"]')).toContainText('crowdsec-firewall-bouncer');
  await expect(page.locator('tr[data-host="web1"]')).toContainText('v0.0.25-debian');
  await expect(page.locator('tr[data-host="web1"]')).toContainText(/pulled (just now|\d+ s ago)/);
  await shot(page, info, 'hosts');

  // A second host, revoked from the page: its bouncer is refused at once.
  await page.getByRole('button', { name: 'Add host' }).click();
  await page.getByRole('dialog', { name: 'Add a host' }).getByLabel('Name').fill('web2');
  await page.getByRole('dialog', { name: 'Add a host' }).getByRole('button', { name: 'Add host' }).click();
  const key2 = (await page.getByRole('dialog', { name: 'web2 is registered' }).getByLabel('Bouncer API key', { exact: true }).textContent())!.trim();
  await page.getByRole('dialog', { name: 'web2 is registered' }).getByRole('button', { name: 'Done' }).click();
  page.once('dialog', (d) => void d.accept());
  await page.locator('tr[data-host="web2"]').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.locator('tr[data-host="web2"]')).toHaveAttribute('data-status', 'revoked');
  expect((await pull('?startup=true', key2)).status).toBe(403);

  await signOut(page);
  await signIn(page, p, 'viewer');
  await menu(page, 'Hosts');
  await expect(page.locator('tr[data-host="web1"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add host' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Rotate key' })).toHaveCount(0);
});
