// Helpers shared by the specs: signing in, probing whether the server has a route yet, and saving
// screenshots where the report and a person can find them.
import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, type Portcullis } from './portcullis';

export const SHOTS = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, p: Portcullis, username: string): Promise<void> {
  await page.goto(`${p.url}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(username);
}

/** Signs in through the API (same cookie jar as the page): quicker where the form is not the point. */
export async function signInApi(request: APIRequestContext, p: Portcullis, username: string): Promise<string> {
  const r = await request.post(`${p.url}/api/session`, { data: { username, password: PASSWORD } });
  expect(r.status()).toBe(200);
  return ((await r.json()) as { csrf_token: string }).csrf_token;
}

/** Whether the server implements a route (anything but "no route"). */
export async function hasRoute(p: Portcullis, method: string, path: string): Promise<boolean> {
  const r = await fetch(`${p.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
  if (r.status !== 404) return true;
  const body = (await r.json().catch(() => null)) as { error?: { message?: string } } | null;
  return !body?.error?.message?.startsWith('no route');
}

export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Let lazy chunks, fonts and the first live push settle; animations off for a stable picture.
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.addStyleTag({ content: '*, *::before, *::after { animation: none !important; transition: none !important; caret-color: transparent !important; }' });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  await info.attach(name, { path, contentType: 'image/png' });
}
