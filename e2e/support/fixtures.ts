// Helpers shared by the specs: signing in and moving around as a person would (the form, the
// menu), and saving screenshots where the report and a person can find them.
import { expect, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, type Portcullis } from './portcullis';

export const SHOTS = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

/**
 * Signs in as a person would: opens the dashboard's address, follows the redirect to the sign-in
 * page, fills the form. The page then shows the overview; move on with `menu`, not `page.goto`
 * (a load would hide what only happens after signing in inside the running app).
 */
export async function signIn(page: Page, p: Portcullis, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${p.url}/`);
  await expect(page).toHaveURL(/\/login$/);
  await fillSignIn(page, username, password);
}

/** Fills and sends the sign-in form already on screen, then waits for the signed-in frame. */
export async function fillSignIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(username);
}

/** Follows a link of the main menu and waits for it to be the current page. */
export async function menu(page: Page, label: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });
  await link.click();
  await expect(link).toHaveAttribute('aria-current', 'page');
}

/** Signs out with the header's button and waits for the sign-in form. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

/** The header's live status: `connected`, `connecting`, `reconnecting` or `offline`. */
export const liveDot = (page: Page) => page.locator('.live-dot');

export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Let lazy chunks, fonts and the first live push settle; animations off for a stable picture.
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.addStyleTag({ content: '*, *::before, *::after { animation: none !important; transition: none !important; caret-color: transparent !important; }' });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  await info.attach(name, { path, contentType: 'image/png' });
}
