// The log test page: three phases per line and "would this block, and when?" for the paste.
import { expect, test } from '@playwright/test';
import { menu, signIn } from '../support/fixtures';
import { startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
});

test('three phases for each line, and the replay says it would block', async ({ page }) => {
  await signIn(page, p, 'viewer');
  await menu(page, 'Log test');
  await page.getByRole('button', { name: 'Insert an example' }).click();
  await page.getByRole('button', { name: 'Test 6 lines' }).click();
  const lines = page.getByTestId('logtest-line');
  await expect(lines).toHaveCount(6);
  const first = lines.first();
  await expect(first.getByRole('region', { name: 'Phase 1: pre-decoding' })).toContainText('web01');
  await expect(first.getByRole('region', { name: 'Phase 2: decoding' })).toContainText('203.0.113.9');
  await expect(first.getByRole('region', { name: 'Phase 3: rules' })).toContainText('5716');
  await expect(page.getByTestId('replay-verdict')).toContainText('Yes: 1 block');
  await expect(page.getByTestId('replay-verdict')).toContainText('203.0.113.9');
});
