// The story of DESIGN.md §1 in the browser: a brute force is appended to the watched log, the
// alerts arrive without a reload, the block appears with its countdown, the active-response
// script is called with `add`, a responder releases it with a reason, the script is called with
// `delete`, and the history and the audit log say who released it and why.
import { expect, test } from '@playwright/test';
import { liveDot, menu, shot, signIn } from '../support/fixtures';
import { sshFailures, startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
});

test('brute force → alerts → block with countdown → release with a reason → audit', async ({ page }, info) => {
  const ip = '203.0.113.9';
  await signIn(page, p, 'admin');
  await menu(page, 'Alerts');
  await expect(liveDot(page)).toHaveAttribute('data-status', 'connected');

  p.append(sshFailures(ip, 5));
  await expect(page.locator('[data-alert-id][data-rule-id="5720"]')).toHaveCount(1);
  // The fifth attempt is the brute force itself (rule 5720), the first four are 5716.
  await expect(page.locator('[data-alert-id][data-rule-id="5716"]')).toHaveCount(4);

  // Into the blocks page without a reload: the block is there with its countdown.
  await menu(page, 'Blocks');
  const row = page.locator(`[data-testid="block-row"][data-ip="${ip}"]`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-state', 'active');
  const timer = row.getByRole('timer');
  await expect(timer).toBeVisible();
  const before = await timer.textContent();
  await expect.poll(async () => timer.textContent(), { timeout: 5000 }).not.toBe(before);
  await expect.poll(() => p.arCalls()).toContain(`add ${ip}`);
  await shot(page, info, '20-scenario-block');

  // Release: the reason is required.
  await row.getByRole('button', { name: `Release ${ip}` }).click();
  const dialog = page.getByRole('dialog', { name: `Release ${ip}` });
  await dialog.getByRole('button', { name: 'Release block' }).click();
  await expect(dialog.getByText('Give a reason for the release.')).toBeVisible();
  await dialog.getByLabel('Reason').fill('Our office NAT: a colleague mistyped the password');
  await dialog.getByRole('button', { name: 'Release block' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveCount(0);
  await expect.poll(() => p.arCalls()).toContain(`delete ${ip}`);

  await page.getByRole('tab', { name: 'History' }).click();
  const past = page.locator(`[data-testid="history-row"][data-ip="${ip}"]`);
  await expect(past).toHaveAttribute('data-state', 'released');
  await expect(past).toContainText('admin');
  await expect(past).toContainText('Our office NAT');
  await shot(page, info, '21-scenario-history');

  // The block's own page: both script runs, with their exit codes.
  await past.getByRole('button', { name: `Details of the block of ${ip}` }).click();
  const drawer = page.getByRole('dialog', { name: 'Block details' });
  await expect(drawer).toBeVisible();
  await expect(drawer.locator('.phase h4').filter({ hasText: 'add' })).toContainText('exit 0');
  await expect(drawer.locator('.phase h4').filter({ hasText: 'delete' })).toContainText('exit 0');
  await expect(drawer).toContainText('Our office NAT');
  await shot(page, info, '22-scenario-block-detail');
  await page.keyboard.press('Escape');

  await menu(page, 'Audit log');
  const audit = page.locator('[data-testid="audit-row"]').filter({ hasText: ip }).filter({ hasText: /release/i });
  await expect(audit.first()).toBeVisible();
  await expect(audit.first()).toContainText('admin');
});

test('expiry: the timer runs delete and the block shows expired', async ({ page }) => {
  const q = await startPortcullis({ timeout: 8 }); // long enough to see the countdown on a loaded CI machine
  try {
    const ip = '198.51.100.66';
    await signIn(page, q, 'responder');
    await menu(page, 'Blocks');
    q.append(sshFailures(ip, 5));
    const row = page.locator(`[data-testid="block-row"][data-ip="${ip}"]`);
    await expect(row).toBeVisible();
    await expect(row.getByRole('timer')).toBeVisible();
    await expect.poll(() => q.arCalls(), { timeout: 20_000 }).toEqual([`add ${ip}`, `delete ${ip}`]);
    await expect(row).toHaveCount(0, { timeout: 20_000 });
    await page.getByRole('tab', { name: 'History' }).click();
    const past = page.locator(`[data-testid="history-row"][data-ip="${ip}"]`);
    await expect(past).toHaveAttribute('data-state', 'expired');
    await expect(past).toContainText('timer');
  } finally {
    await q.stop();
  }
});

test('a viewer sees no release button, and the API refuses with 403', async ({ page }) => {
  const ip = '192.0.2.99';
  p.append(sshFailures(ip, 5));
  await signIn(page, p, 'viewer');
  await menu(page, 'Blocks');
  const row = page.locator(`[data-testid="block-row"][data-ip="${ip}"]`);
  await expect(row).toBeVisible();
  await expect(page.getByRole('button', { name: /^Release/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Block an address' })).toHaveCount(0);

  const list = await page.request.get(`${p.url}/api/blocks?state=active&ip=${ip}`);
  const id = ((await list.json()) as { items: Array<{ id: number }> }).items[0]!.id;
  const csrf = ((await (await page.request.get(`${p.url}/api/session`)).json()) as { csrf_token: string }).csrf_token;
  const r = await page.request.post(`${p.url}/api/blocks/${id}/release`, { data: { reason: 'trying' }, headers: { 'x-csrf-token': csrf } });
  expect(r.status()).toBe(403);
  await expect(row).toBeVisible();
});
