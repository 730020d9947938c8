// Ada, the admin, sends a notification to Alice: Alice's bell counts it, a toast shows it with
// its action, and marking all read clears the counter — for good, as a reload shows.

import { test } from 'node:test';
import { startDemo } from './support/demo.js';

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

  // The bell's list, then "mark all read".
  await bell.click();
  const panel = alice.getByRole('dialog', { name: 'Notifications' });
  await panel.getByText('Exercice incendie samedi').waitFor();
  await panel.getByRole('button', { name: 'Tout marquer comme lu' }).click();
  await alice.getByRole('button', { name: 'Notifications, aucune non lue' }).waitFor();

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
