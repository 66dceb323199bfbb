// Alerts arrive without a reload, pause holds them back with a count, filters live in the URL,
// and the detail drawer shows the line, the fields and the links — by mouse and by keyboard.
import { expect, test } from '@playwright/test';
import { menu, signIn } from '../support/fixtures';
import { mixedAuthLog } from '../support/log-lines';
import { sshFailures, startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
});

test('live alerts, pause with a count, resume', async ({ page }) => {
  await signIn(page, p, 'admin');
  await menu(page, 'Alerts');
  await expect(page.getByText('No alerts yet')).toBeVisible();
  await expect(page.locator('.live-dot')).toHaveAttribute('data-status', 'connected');

  p.append(sshFailures('203.0.113.9', 3));
  const rows = page.locator('[data-alert-id]');
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toHaveAttribute('data-rule-id', '5716');

  await page.getByRole('button', { name: 'Pause' }).click();
  p.append(sshFailures('198.51.100.23', 2, 'admin'));
  await expect(page.getByTestId('paused-count')).toHaveText('2');
  await expect(rows).toHaveCount(3);

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(rows).toHaveCount(5);
  await expect(rows.first()).toContainText('198.51.100.23');
});

test('filters are kept in the address and survive a reload', async ({ page }) => {
  p.append(mixedAuthLog());
  p.append(sshFailures('203.0.113.77', 5));
  await signIn(page, p, 'admin');
  await menu(page, 'Alerts');
  await expect(page.locator('[data-alert-id]').first()).toBeVisible();

  await page.getByLabel('Min level').selectOption('10');
  await expect(page).toHaveURL(/level_min=10/);
  const levels = await page.locator('[data-alert-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-level'))));
  expect(levels.length).toBeGreaterThan(0);
  expect(levels.every((l) => l >= 10)).toBe(true);

  await page.getByLabel('Source IP').fill('203.0.113.77');
  await page.getByLabel('Source IP').press('Enter');
  await expect(page).toHaveURL(/srcip=203\.0\.113\.77/);
  await page.reload();
  await expect(page.getByLabel('Source IP')).toHaveValue('203.0.113.77');
  await expect(page.getByLabel('Min level')).toHaveValue('10');
  await expect(page.locator('[data-alert-id]')).toHaveCount(1);
  await expect(page.locator('[data-alert-id]').first()).toHaveAttribute('data-rule-id', '5720');

  // A live alert that does not match the filters stays out; one that does comes in.
  p.append(sshFailures('192.0.2.1', 1));
  p.append(sshFailures('203.0.113.77', 5));
  await expect(page.locator('[data-alert-id]')).toHaveCount(2);
});

test('detail drawer by keyboard, with a shareable address and links', async ({ page }) => {
  await signIn(page, p, 'viewer');
  await menu(page, 'Alerts');
  await page.getByLabel('Source IP').fill('203.0.113.9');
  await page.getByLabel('Source IP').press('Enter');
  await expect(page).toHaveURL(/srcip=203\.0\.113\.9/);
  await expect(page.locator('[data-alert-id]').first()).toContainText('203.0.113.9');
  const list = page.getByTestId('alerts-list');
  await list.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: 'Alert details' });
  await expect(drawer).toBeVisible();
  await expect(page).toHaveURL(/alert=\d+/);
  await expect(drawer.getByTestId('alert-full-log')).toContainText('Failed password for root from 203.0.113.9');
  await expect(drawer.getByText('srcport')).toBeVisible();
  await expect(drawer.getByRole('link', { name: 'Timeline of 203.0.113.9' })).toHaveAttribute('href', '/ips/203.0.113.9');
  await expect(drawer.getByRole('link', { name: 'Rule 5716' })).toHaveAttribute('href', '/rules/5716');

  // The address opens the same drawer in another tab.
  const url = page.url();
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(list).toBeFocused();
  const tab = await page.context().newPage();
  await tab.goto(url);
  await expect(tab.getByRole('dialog', { name: 'Alert details' })).toBeVisible();
  await expect(tab.getByTestId('alert-full-log')).toContainText('203.0.113.9');
});
