// The live socket when it goes away: after a dropped connection it comes back and the blocks list
// catches up on what happened meanwhile (events are not replayed); after the server drops it on
// purpose it reconnects when the session still holds, and goes to sign-in when it does not.
// The browser's WebSocket runs through page.routeWebSocket, which passes everything to the real
// server and lets the test cut the line or say what the server would say.
import { expect, test, type Page, type WebSocketRoute } from '@playwright/test';
import { liveDot, menu, signIn } from '../support/fixtures';
import { sshFailures, startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
});

/** Passes the socket through; the returned object holds the newest connection and can hold back new ones. */
async function proxySocket(page: Page) {
  const state = { current: null as WebSocketRoute | null, hold: false, held: [] as WebSocketRoute[] };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (state.hold) {
      state.held.push(ws);
      return;
    }
    ws.connectToServer();
    state.current = ws;
  });
  return {
    state,
    release() {
      state.hold = false;
      for (const ws of state.held.splice(0)) {
        ws.connectToServer();
        state.current = ws;
      }
    },
  };
}

test('after a dropped connection the feed comes back and the blocks list catches up', async ({ page }) => {
  const proxy = await proxySocket(page);
  await signIn(page, p, 'admin');
  await menu(page, 'Blocks');
  await expect(liveDot(page)).toHaveAttribute('data-status', 'connected');

  // The line goes down, and stays down while a brute force is blocked.
  proxy.state.hold = true;
  await proxy.state.current!.close({ code: 1006, reason: 'cut by the test' }).catch(() => undefined);
  await expect(liveDot(page)).toHaveAttribute('data-status', /reconnecting|offline/);
  const ip = '203.0.113.77';
  p.append(sshFailures(ip, 5));
  await expect.poll(() => p.arCalls()).toContain(`add ${ip}`);

  proxy.release();
  await expect(liveDot(page)).toHaveAttribute('data-status', 'connected', { timeout: 20_000 });
  await expect(page.locator(`[data-testid="block-row"][data-ip="${ip}"]`)).toBeVisible();
});

test('dropped by the server while the session holds: it reconnects by itself', async ({ page }) => {
  const proxy = await proxySocket(page);
  await signIn(page, p, 'viewer');
  await menu(page, 'Blocks');
  await expect(liveDot(page)).toHaveAttribute('data-status', 'connected');
  // What socket.io sends for socket.disconnect() on the server: a DISCONNECT of the namespace.
  proxy.state.current!.send('41');
  await expect(liveDot(page)).toHaveAttribute('data-status', 'connected', { timeout: 10_000 });
  const ip = '203.0.113.78';
  p.append(sshFailures(ip, 5));
  await expect(page.locator(`[data-testid="block-row"][data-ip="${ip}"]`)).toBeVisible();
});

test('dropped by the server because the session ended: to the sign-in page', async ({ page }) => {
  await signIn(page, p, 'viewer');
  await menu(page, 'Blocks');
  await expect(liveDot(page)).toHaveAttribute('data-status', 'connected');
  // Signed out from another tab of the same browser: the server closes this session's sockets.
  const csrf = ((await (await page.request.get(`${p.url}/api/session`)).json()) as { csrf_token: string }).csrf_token;
  expect((await page.request.delete(`${p.url}/api/session`, { headers: { 'x-csrf-token': csrf } })).status()).toBe(200);
  await expect(page).toHaveURL(/\/login/, { timeout: 10_000 });
});
