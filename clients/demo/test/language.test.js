// French by default; the switch in the header turns the demo into English, and the choice
// stays for the next visit. The home page passes the accessibility audit in both languages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './support/accessibility.js';
import { startDemo } from './support/demo.js';

test('the language switch turns French into English and is remembered', async (t) => {
  const demo = await startDemo(t);
  const page = await demo.open();
  await page.getByRole('heading', { name: 'Choisissez un rôle' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await expectAccessible(page, 'the home page');

  await page.getByRole('combobox', { name: 'Langue' }).selectOption('en');
  await page.getByRole('heading', { name: 'Choose a role' }).waitFor();
  await page.getByRole('heading', { name: 'Choisissez un rôle' }).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: /Shop visitor/ }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.title(), 'Missive — demo');
  await expectAccessible(page, 'the home page in English');

  // Remembered, on every screen.
  await page.reload();
  await page.getByRole('heading', { name: 'Choose a role' }).waitFor();
  await page.getByRole('link', { name: /Alice Martin/ }).click();
  await page.getByRole('button', { name: 'New conversation' }).waitFor();
  await page.getByRole('button', { name: 'Notifications, none unread' }).waitFor();
  await page.getByText('Pick a conversation on the left, or start a new one.').waitFor();

  // And back.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
  await page.getByRole('button', { name: 'Nouvelle conversation' }).waitFor();

  // The demo's address without its final slash works too.
  await page.goto(`${demo.base}/demo`);
  await page.getByRole('heading', { name: 'Choisissez un rôle' }).waitFor();
  await page.goto(demo.base);
  await page.getByRole('heading', { name: 'Choisissez un rôle' }).waitFor();

  demo.assertNoPageErrors();
});
