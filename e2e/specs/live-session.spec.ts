// Live means live, whatever the path that led to the page: the feed connects as soon as someone is
// signed in through the form (no reload), after the first admin is created, after another user
// signs in on the same page, after the session ended on the server, and after the server restarted;
// and what a page fetched earlier follows the feed while another page is shown.
// Every test signs in through the form and moves with the menu, as a person would.
import { expect, test, type Page, type WebSocket } from '@playwright/test';
import { fillSignIn, liveDot, menu, signIn, signOut } from '../support/fixtures';
import { sshFailures, startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
});

const alertRows = (page: Page, ip: string) => page.locator('[data-alert-id]').filter({ hasText: ip });

/** On the Alerts page with the feed up: lines for `ip` appear as alerts without a reload. */
async function seesAlertsLive(page: Page, server: Portcullis, ip: string, n = 2): Promise<void> {
  await expect(liveDot(page)).toHaveText('Live');
  await expect(page.getByText('Live: new alerts appear at the top')).toBeVisible();
  server.append(sshFailures(ip, n));
  await expect(alertRows(page, ip)).toHaveCount(n);
  await expect(liveDot(page)).toHaveAttribute('data-status', 'connected');
}

test('signed in through the form, the alerts page gets alerts live and the header says Live', async ({ page }) => {
  await signIn(page, p, 'admin');
  await expect(page.getByTestId('stat-alerts')).toHaveText('0');
  await menu(page, 'Alerts');
  // The list was fetched before the lines are written: only the live feed can bring them.
  await expect(page.getByText('No alerts yet')).toBeVisible();
  await seesAlertsLive(page, p, '203.0.113.21', 3);
  await expect(liveDot(page)).not.toHaveText('Live feed offline');
  // The overview's numbers, fetched before, count what arrived while another page was shown (at
  // the latest with the refresh after the feed goes quiet, 5 s on).
  await menu(page, 'Overview');
  await expect(page.getByTestId('stat-alerts')).toHaveText('3', { timeout: 15_000 });
});

test('first run: create the admin in the browser, sign in, alerts arrive live', async ({ page }) => {
  const fresh = await startPortcullis({ users: false });
  try {
    await page.goto(`${fresh.url}/`);
    await expect(page).toHaveURL(/\/login$/);
    const token = fresh.setupToken();
    expect(token, `the server prints a setup token on first run:\n${fresh.output()}`).toBeTruthy();
    await page.getByLabel('Setup token').fill(token!);
    await page.getByLabel('Admin username').fill('first-admin');
    await page.getByLabel('Password', { exact: true }).fill('a-long-enough-password');
    await page.getByLabel('Repeat password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Create admin' }).click();
    await expect(page.getByText('Admin “first-admin” created')).toBeVisible();
    await fillSignIn(page, 'first-admin', 'a-long-enough-password');
    await expect(page.getByTestId('current-role')).toHaveText('admin');
    await menu(page, 'Alerts');
    await expect(page.getByText('No alerts yet')).toBeVisible();
    await seesAlertsLive(page, fresh, '198.51.100.31');
  } finally {
    await fresh.stop();
  }
});

test('sign out, sign in as a viewer: the viewer gets a feed of their own, without admin controls', async ({ page }) => {
  const sockets: WebSocket[] = [];
  page.on('websocket', (ws) => {
    if (ws.url().includes('/socket.io/')) sockets.push(ws);
  });
  await signIn(page, p, 'admin');
  await menu(page, 'Alerts');
  await expect(liveDot(page)).toHaveText('Live');
  expect(sockets).toHaveLength(1);
  const admins = sockets[0]!;

  await signOut(page);
  await fillSignIn(page, 'viewer');
  await expect(page.getByTestId('current-role')).toHaveText('viewer');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await menu(page, 'Alerts');
  await seesAlertsLive(page, p, '192.0.2.41');
  // The admin's socket is gone; the feed came over a new one, opened with the viewer's cookie.
  expect(admins.isClosed()).toBe(true);
  expect(sockets.length).toBeGreaterThan(1);
  expect(sockets.filter((ws) => !ws.isClosed())).toHaveLength(1);

  await menu(page, 'Blocks');
  await expect(page.getByRole('button', { name: 'Block an address' })).toHaveCount(0);
});

test('the session ends on the server: sign in again and the feed is live', async ({ page, browser }) => {
  await signIn(page, p, 'responder');
  await menu(page, 'Alerts');
  await expect(liveDot(page)).toHaveText('Live');

  // Signed out from another browser holding the same cookie: the server deletes the session.
  const other = await browser.newContext({ storageState: await page.context().storageState() });
  try {
    const csrf = ((await (await other.request.get(`${p.url}/api/session`)).json()) as { csrf_token: string }).csrf_token;
    expect((await other.request.delete(`${p.url}/api/session`, { headers: { 'x-csrf-token': csrf } })).status()).toBe(200);
  } finally {
    await other.close();
  }
  await expect(page).toHaveURL(/\/login\?next=%2Falerts/, { timeout: 15_000 });

  await fillSignIn(page, 'responder');
  await expect(page).toHaveURL(/\/alerts$/);
  await seesAlertsLive(page, p, '192.0.2.51');
});

test('the server restarts: the feed comes back by itself and new alerts arrive live', async ({ page }) => {
  await signIn(page, p, 'admin');
  await menu(page, 'Alerts');
  await seesAlertsLive(page, p, '198.51.100.61');

  const restarting = p.restart();
  await expect(liveDot(page)).not.toHaveAttribute('data-status', 'connected');
  await restarting;
  await expect(liveDot(page)).toHaveText('Live', { timeout: 20_000 });
  await expect(page.getByTestId('current-user')).toHaveText('admin');
  await expect(alertRows(page, '198.51.100.61')).toHaveCount(2);
  await seesAlertsLive(page, p, '198.51.100.62');
});
