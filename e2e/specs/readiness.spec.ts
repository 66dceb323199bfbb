// Issue 8 on the dashboard: while the config's active-response script cannot run, the overview
// shows a red panel naming the script and the fix; once fixed, a quiet line says it is ready.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { shot, signIn } from '../support/fixtures';
import { startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
});

/** Anonymous health: status only. Each call re-checks readiness when the last check is a few seconds old. */
async function status(): Promise<unknown> {
  return (await fetch(`${p.url}/api/health`)).json();
}

test('the overview is red while the script cannot run, and quiet once it can', async ({ page }, info) => {
  const script = join(p.home, 'active-response', 'record.sh');
  chmodSync(script, 0o644);
  await expect.poll(status, { timeout: 20_000 }).toEqual({ status: 'degraded', setup_required: false });

  await signIn(page, p, 'viewer');
  const panel = page.getByTestId('readiness');
  await expect(panel).toHaveAttribute('data-state', 'error');
  await expect(panel).toContainText('Active response will not run as configured');
  await expect(panel).toContainText(`${script} is not executable`);
  await expect(panel).toContainText(`chmod +x ${script}`);
  await expect(page.getByText('Degraded')).toBeVisible();
  await shot(page, info, 'readiness-broken');

  chmodSync(script, 0o755);
  await expect.poll(status, { timeout: 20_000 }).toEqual({ status: 'ok', setup_required: false });
  await page.reload();
  await expect(panel).toHaveAttribute('data-state', 'ok');
  await expect(panel).toContainText('Active response ready: record.');
  await shot(page, info, 'readiness-fixed');
});
