// Tuning and editing rules from the browser: an override changes what the next line alerts at and
// comes off again; a broken file is refused with line and column, a good one applies without a
// restart.
import { expect, test, type Page } from '@playwright/test';
import { menu, signIn } from '../support/fixtures';
import { sshFailures, startPortcullis, type Portcullis } from '../support/portcullis';

let p: Portcullis;

test.beforeAll(async () => {
  p = await startPortcullis();
});

test.afterAll(async () => {
  await p?.stop();
});

async function lastLevel(page: Page, ip: string): Promise<number> {
  const r = await page.request.get(`${p.url}/api/alerts?srcip=${ip}&rule_id=5716&limit=1`);
  return ((await r.json()) as { items: Array<{ level: number }> }).items[0]?.level ?? -1;
}

test('tune rule 5716 to level 7, see the next line alert at 7, remove the override', async ({ page }) => {
  await signIn(page, p, 'admin');
  await menu(page, 'Rules');
  await page.getByLabel('Search rules').fill('5716');
  await page.locator('#rule-node-5716').click();
  await expect(page).toHaveURL(/\/rules\/5716/);
  await expect(page.getByTestId('rule-level')).toContainText('5');
  await page.getByLabel('Level', { exact: true }).selectOption('7');
  await page.getByLabel('Note').fill('Root password failures matter more here');
  await page.getByRole('button', { name: 'Save override' }).click();
  await expect(page.getByTestId('override-banner')).toContainText('level 5 → 7');
  await expect(page.getByTestId('rule-level')).toContainText('7');

  p.append(sshFailures('192.0.2.10', 1));
  await expect.poll(() => lastLevel(page, '192.0.2.10')).toBe(7);

  await page.getByRole('button', { name: 'Remove override' }).click();
  await expect(page.getByTestId('override-banner')).toHaveCount(0);
  p.append(sshFailures('192.0.2.11', 1));
  await expect.poll(() => lastLevel(page, '192.0.2.11')).toBe(5);
});

test('a file with an XML error is refused with line and column; a valid edit applies live', async ({ page }) => {
  await signIn(page, p, 'admin');
  await menu(page, 'Rule files');
  const file = page.getByRole('button', { name: /0300-sshd\.xml/ }).filter({ hasText: 'rules' }).first();
  await file.click();
  await expect(page).toHaveURL(/path=.*0300-sshd\.xml/);
  const path = new URL(page.url()).searchParams.get('path')!;
  const saved = await (await page.request.get(`${p.url}/api/ruleset/file?path=${encodeURIComponent(path)}`)).json() as { content: string };

  // Break it: an unclosed element.
  const editor = page.locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+Home');
  // Left open: no closing `>`, so the editor's tag auto-closing does not repair it.
  await page.keyboard.insertText('<group name="broken"\n');
  const errors = page.getByTestId('editor-errors');
  await expect(errors).toBeVisible();
  await expect(errors).toContainText(/line \d+, column \d+/);
  await expect(page.getByRole('button', { name: 'Review and save…' })).toBeDisabled();
  const after = await (await page.request.get(`${p.url}/api/ruleset/file?path=${encodeURIComponent(path)}`)).json() as { content: string };
  expect(after.content).toBe(saved.content);

  // Fix it and change a description instead.
  await page.getByRole('button', { name: 'Discard' }).click();
  await expect(errors).toHaveCount(0);
  const changed = saved.content.replace('sshd: failed password for', 'sshd: wrong password for');
  expect(changed).not.toBe(saved.content);
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(changed);
  await expect(page.getByText('Compiles')).toBeVisible();
  await page.getByRole('button', { name: 'Review and save…' }).click();
  const dialog = page.getByRole('dialog', { name: /^Save / });
  await dialog.getByLabel('What changed, and why').fill('Say "wrong password"');
  await dialog.getByRole('button', { name: 'Save and apply' }).click();
  await expect(dialog).toBeHidden();

  p.append(sshFailures('192.0.2.12', 1));
  await expect.poll(async () => {
    const r = await page.request.get(`${p.url}/api/alerts?srcip=192.0.2.12&limit=1`);
    return ((await r.json()) as { items: Array<{ description: string }> }).items[0]?.description ?? '';
  }).toContain('wrong password for');
});
