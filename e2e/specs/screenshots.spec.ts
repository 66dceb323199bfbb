// Every page at 1280×800 against a real server with some history, saved for a person to look at
// (e2e/artifacts/screenshots). Pages whose API the server does not have yet show their error state.
import { expect, test } from '@playwright/test';
import { shot, signIn } from '../support/fixtures';
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

test('every page, signed in as admin', async ({ page }, info) => {
  await signIn(page, p, 'admin');
  await page.goto(`${p.url}/`);
  await expect(page.getByTestId('stat-alerts')).not.toHaveText('…');
  await expect(page.getByTestId('stat-alerts')).not.toHaveText('0');
  await shot(page, info, '02-overview');

  await page.goto(`${p.url}/alerts`);
  await expect(page.locator('[data-alert-id]').first()).toBeVisible();
  await shot(page, info, '03-alerts');

  await page.locator('[data-alert-id]').first().click();
  await expect(page.getByRole('dialog', { name: 'Alert details' })).toBeVisible();
  await expect(page.getByTestId('alert-full-log')).toBeVisible();
  await shot(page, info, '04-alert-detail');
  await page.keyboard.press('Escape');

  await page.goto(`${p.url}/alerts?level_min=10&range=24h`);
  await shot(page, info, '05-alerts-filtered');

  const pages: Array<[string, string]> = [
    ['/blocks', '06-blocks'],
    ['/blocks?tab=history', '07-blocks-history'],
    ['/ips/203.0.113.9', '08-ip-timeline'],
    ['/rules', '09-rules'],
    ['/rules/5716', '10-rule-detail'],
    ['/files', '11-files'],
    ['/responses', '13-responses'],
    ['/logtest', '14-logtest'],
    ['/whitelist', '16-whitelist'],
    ['/users', '17-users'],
    ['/audit', '18-audit'],
  ];
  for (const [path, name] of pages) {
    await page.goto(`${p.url}${path}`);
    await expect(page.locator('main')).toBeVisible();
    await expect(page.locator('[aria-busy="true"], .state .spinner')).toHaveCount(0);
    await shot(page, info, name);
  }

  await page.goto(`${p.url}/files?path=rules/rules/0300-sshd.xml`);
  await page.waitForTimeout(300);
  await shot(page, info, '12-file-editor');

  await page.goto(`${p.url}/logtest`);
  await page.getByRole('button', { name: 'Insert an example' }).click();
  await page.getByRole('button', { name: /^Test \d+ lines/ }).click();
  await page.waitForTimeout(500);
  await shot(page, info, '15-logtest-result');
});

test('viewer: the same dashboard without the buttons that would fail', async ({ page }, info) => {
  await signIn(page, p, 'viewer');
  await expect(page.getByTestId('current-role')).toHaveText('viewer');
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await page.goto(`${p.url}/blocks`);
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
