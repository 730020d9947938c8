// Ada, the admin, sends a notification to Alice: Alice's bell counts it, a toast shows it with
// its action, and marking all read clears the counter — for good, as a reload shows. The bell's
// panel is a dialog that keeps focus while open and gives it back; a toast waits while it is
// hovered or focused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveRest } from '@missive/client';
import { expectAccessible } from './support/accessibility.js';
import { eventually, startDemo } from './support/demo.js';
import { expectFocusCycles, expectFocusOn, expectFocusWithin } from './support/focus.js';

test('a notification from the admin reaches the bell and a toast; mark all read clears the counter', async (t) => {
  const demo = await startDemo(t);
  const alice = await demo.open('#/alice/messages');
  await alice.getByRole('button', { name: 'Notifications, aucune non lue' }).waitFor();
  await alice.getByText('Connecté', { exact: true }).waitFor();

  const ada = await demo.open('#/ada/notifications');
  const form = ada.getByRole('region', { name: 'Envoyer une notification' });
  await form.getByRole('checkbox', { name: 'Alice Martin' }).check();
  await form.getByLabel('Titre').fill('Exercice incendie samedi');
  await form.getByLabel('Texte').fill('Rendez-vous à 9 h à la caserne centrale.');
  await form.getByLabel('Libellé du lien (facultatif)').fill('Voir le planning');
  await form.getByLabel('Adresse du lien (facultatif)').fill('/demo/#/alice/notifications');
  await form.getByRole('button', { name: 'Envoyer' }).click();
  await form.getByText('Notification envoyée à 1 personne.').waitFor();

  // Alice: the counter, and a toast with the notification's action.
  const bell = alice.getByRole('button', { name: 'Notifications, 1 non lue' });
  await bell.waitFor();
  const toast = alice.getByRole('region', { name: 'Alertes' }).getByRole('status').filter({ hasText: 'Exercice incendie samedi' });
  await toast.getByText('Rendez-vous à 9 h à la caserne centrale.').waitFor();
  await toast.getByRole('link', { name: 'Voir le planning' }).waitFor();
  await expectAccessible(alice, 'the messenger with a toast');

  // The bell's list, a dialog: focus goes in and stays there while it is open.
  await bell.click();
  const panel = alice.getByRole('dialog', { name: 'Notifications' });
  await panel.getByText('Exercice incendie samedi').waitFor();
  await expectFocusWithin(panel, 'the bell’s panel');
  await expectAccessible(alice, 'the bell’s panel');
  // "Mark all read", the notification's link and "mark read", "all notifications".
  assert.equal(await expectFocusCycles(alice, panel, 'the bell’s panel'), 4);

  // "Mark all read"; Escape closes the panel, and focus is back on the bell.
  await panel.getByRole('button', { name: 'Tout marquer comme lu' }).click();
  const clear = alice.getByRole('button', { name: 'Notifications, aucune non lue' });
  await clear.waitFor();
  await alice.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  await expectFocusOn(clear, 'the bell, after Escape');

  // The server agrees: after a reload the counter is still clear.
  await alice.reload();
  await alice.getByText('Connecté', { exact: true }).waitFor();
  await alice.getByRole('button', { name: 'Notifications, aucune non lue' }).waitFor();

  // One by one: a second notification, read from the notifications page.
  await form.getByRole('checkbox', { name: 'Alice Martin' }).check();
  await form.getByLabel('Titre').fill('Formation secourisme');
  await form.getByRole('button', { name: 'Envoyer' }).click();
  await alice.getByRole('button', { name: 'Notifications, 1 non lue' }).waitFor();
  await alice.getByRole('navigation').getByRole('link', { name: 'Notifications' }).click();
  const list = alice.getByRole('region', { name: 'Notifications' }).getByRole('listitem').filter({ hasText: 'Formation secourisme' });
  await list.getByRole('button', { name: 'Marquer comme lue' }).click();
  await alice.getByRole('button', { name: 'Notifications, aucune non lue' }).waitFor();

  demo.assertNoPageErrors();
});

test('a toast stays while hovered or focused, and goes once left', async (t) => {
  const demo = await startDemo(t);
  const alice = await demo.open('#/alice/messages');
  await alice.getByText('Connecté', { exact: true }).waitFor();
  const { token } = await (await fetch(`${demo.base}/local/demo/session?as=ada`)).json();
  const ada = new MissiveRest({ baseUrl: demo.base, getToken: () => token });
  const notify = (title, more = {}) => ada.createNotifications({ users: ['alice'], type: 'event', title, ...more });

  // Three toasts, in this order: one Alice hovers, one whose link she focuses, and one she
  // leaves alone — the last to come, so the last to go if the other two did not wait.
  await notify('Exercice incendie samedi');
  await notify('Formation secourisme', { actionUrl: '/demo/#/alice/notifications', actionLabel: 'S’inscrire' });
  await notify('Réunion de garde');
  const toasts = alice.getByRole('region', { name: 'Alertes' });
  const hovered = toasts.getByRole('status').filter({ hasText: 'Exercice incendie samedi' });
  const focused = toasts.getByRole('status').filter({ hasText: 'Formation secourisme' });
  const untouched = toasts.getByRole('status').filter({ hasText: 'Réunion de garde' });
  await untouched.waitFor();
  await hovered.hover();
  await focused.getByRole('link', { name: 'S’inscrire' }).focus();

  // The untouched one goes after its lifetime (12 s); by then the other two, shown before it,
  // would have gone too: they are still there.
  await untouched.waitFor({ state: 'detached', timeout: 60_000 });
  assert.equal(await hovered.count(), 1, 'the hovered toast stays');
  assert.equal(await focused.count(), 1, 'the focused toast stays');

  // Left (the pointer elsewhere, focus in the search box), both go after the time they had left.
  await alice.mouse.move(5, 400);
  await alice.getByLabel('Rechercher une conversation').focus();
  await eventually(async () => (await hovered.count()) === 0 && (await focused.count()) === 0, {
    what: 'both toasts gone once left',
    timeoutMs: 60_000,
  });

  demo.assertNoPageErrors();
});
