// Notifications in the browser: an admin adds a custom webhook on the Notifications page, sends a
// test that a real receiver on loopback gets, then a brute force appended to the watched log
// arrives at that receiver as Wazuh's JSON alert with the block it caused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { menu, shot, signIn } from '../support/fixtures';
import { sshFailures, startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;
let server: Server;
let url = '';
const received: Array<Record<string, unknown>> = [];

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

test('an admin adds a webhook, sends a test, and a brute force reaches it with its block', async ({ page }, info) => {
  await signIn(page, p, 'admin');
  await menu(page, 'Notifications');
  await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible();

  await page.getByRole('button', { name: 'Add a webhook' }).click();
  const form = page.getByRole('form', { name: 'New integration' });
  await form.getByLabel('Name').fill('custom-ops');
  await form.getByLabel('Hook URL').fill(url);
  await form.getByLabel('Minimum level').fill('5');
  await form.getByRole('button', { name: 'Save integration' }).click();
  const row = page.getByRole('table', { name: 'Integrations' }).getByRole('row').filter({ hasText: 'custom-ops' });
  await expect(row).toContainText(url);

  await row.getByRole('button', { name: 'Send a test' }).click();
  await expect(page.getByText('Test sent to custom-ops.')).toBeVisible();
  expect(received.map((r) => (r.rule as { id: string }).id)).toEqual(['portcullis-test']);

  const ip = '203.0.113.77';
  p.append(sshFailures(ip, 5));
  await expect.poll(() => received.find((r) => (r.rule as { id: string }).id === '5720'), { timeout: 20_000 }).toBeTruthy();
  const alert = received.find((r) => (r.rule as { id: string }).id === '5720')!;
  expect(alert).toMatchObject({ data: { srcip: ip }, portcullis: { block: { ip, action: 'created' } } });
  expect((alert.portcullis as { timeline_url: string }).timeline_url).toMatch(new RegExp(`/ips/${ip.replace(/\./g, '\\.')}$`));

  const history = page.getByRole('table', { name: 'Notification history' });
  await expect(history).toContainText('Rule 5720', { timeout: 15_000 });
  await shot(page, info, '60-notifications');
});
