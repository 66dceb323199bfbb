// Every page at 1280×800 against a real server with some history, saved for a person to look at
// (e2e/artifacts/screenshots), reached through the menu and the links on the pages as a person would.
import { expect, test, type Page } from '@playwright/test';
import { menu, shot, signIn } from '../support/fixtures';
import { mixedAuthLog } from '../support/log-lines';
import { sshFailures, startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
  p.append(mixedAuthLog());
  p.append(sshFailures('203.0.113.9', 6));
});

test.afterAll(async () => {
  await p?.stop();
});

test('sign-in page', async ({ page }, info) => {
  await page.goto(`${p.url}/alerts`);
  await expect(page).toHaveURL(/\/login\?next=%2Falerts/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await shot(page, info, '01-login');
});

/** The page has drawn its data: no loading state left. */
async function settled(page: Page): Promise<void> {
  await expect(page.locator('main')).toBeVisible();
  await expect(page.locator('[aria-busy="true"], .state .spinner')).toHaveCount(0);
}

test('every page, signed in as admin', async ({ page }, info) => {
  await signIn(page, p, 'admin');
  await expect(page.getByTestId('stat-alerts')).not.toHaveText('…');
  await expect(page.getByTestId('stat-alerts')).not.toHaveText('0');
  await shot(page, info, '02-overview');

  await menu(page, 'Alerts');
  await expect(page.locator('[data-alert-id]').first()).toBeVisible();
  await shot(page, info, '03-alerts');

  await page.locator('[data-alert-id]').filter({ hasText: '203.0.113.9' }).first().click();
  await expect(page.getByRole('dialog', { name: 'Alert details' })).toBeVisible();
  await expect(page.getByTestId('alert-full-log')).toBeVisible();
  await shot(page, info, '04-alert-detail');
  await page.keyboard.press('Escape');

  await page.getByLabel('Min level').selectOption('10');
  await page.getByLabel('Time', { exact: true }).selectOption('24h');
  await expect(page).toHaveURL(/level_min=10/);
  await expect(page).toHaveURL(/range=24h/);
  await settled(page);
  await shot(page, info, '05-alerts-filtered');

  await menu(page, 'Blocks');
  const block = page.locator('[data-testid="block-row"][data-ip="203.0.113.9"]');
  await expect(block).toBeVisible();
  await settled(page);
  await shot(page, info, '06-blocks');
  await block.getByRole('link', { name: '203.0.113.9' }).click();
  await expect(page).toHaveURL(/\/ips\/203\.0\.113\.9/);
  await settled(page);
  await shot(page, info, '08-ip-timeline');
  await menu(page, 'Blocks');
  await page.getByRole('tab', { name: 'History' }).click();
  await expect(page).toHaveURL(/tab=history/);
  await settled(page);
  await shot(page, info, '07-blocks-history');

  await menu(page, 'Rules');
  await settled(page);
  await shot(page, info, '09-rules');
  await page.getByLabel('Search rules').fill('5716');
  await page.locator('#rule-node-5716').click();
  await expect(page.getByTestId('rule-level')).toBeVisible();
  await settled(page);
  await shot(page, info, '10-rule-detail');

  await menu(page, 'Rule files');
  await settled(page);
  await shot(page, info, '11-files');
  await page.getByRole('button', { name: /0300-sshd\.xml/ }).filter({ hasText: 'rules' }).first().click();
  await expect(page.locator('.cm-content')).toBeVisible();
  await shot(page, info, '12-file-editor');

  for (const [label, name] of [
    ['Responses', '13-responses'],
    ['Log test', '14-logtest'],
    ['White list', '16-whitelist'],
    ['Users', '17-users'],
    ['Audit log', '18-audit'],
  ] as const) {
    await menu(page, label);
    await settled(page);
    await shot(page, info, name);
    if (label === 'Log test') {
      await page.getByRole('button', { name: 'Insert an example' }).click();
      await page.getByRole('button', { name: /^Test \d+ lines/ }).click();
      await expect(page.getByTestId('logtest-line').first()).toBeVisible();
      await shot(page, info, '15-logtest-result');
    }
  }
});

test('viewer: the same dashboard without the buttons that would fail', async ({ page }, info) => {
  await signIn(page, p, 'viewer');
  await expect(page.getByTestId('current-role')).toHaveText('viewer');
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await menu(page, 'Blocks');
  await expect(page.getByRole('button', { name: 'Block an address' })).toHaveCount(0);
  await shot(page, info, '19-viewer-blocks');
});

test('first-run setup', async ({ page }, info) => {
  const fresh = await startPortcullis({ users: false });
  try {
    await page.goto(`${fresh.url}/`);
    await expect(page.getByRole('form', { name: 'Create the first admin' })).toBeVisible();
    await shot(page, info, '00-setup');
    const token = fresh.setupToken();
    expect(token, 'the server prints a setup token on first run').toBeTruthy();
    await page.getByLabel('Setup token').fill(token!);
    await page.getByLabel('Admin username').fill('root-admin');
    await page.getByLabel('Password', { exact: true }).fill('a-long-enough-password');
    await page.getByLabel('Repeat password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Create admin' }).click();
    await expect(page.getByText('Admin “root-admin” created')).toBeVisible();
    await page.getByLabel('Username').fill('root-admin');
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('current-role')).toHaveText('admin');
  } finally {
    await fresh.stop();
  }
});
