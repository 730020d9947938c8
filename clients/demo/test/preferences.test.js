// Alice's notifications page: her preferences saved and read back, and her reminders —
// scheduled, cancelled, and one that fires into her bell. The page passes the accessibility
// audit with a reminder pending, then with one sent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './support/accessibility.js';
import { startDemo } from './support/demo.js';

test('preferences are saved and read back; reminders are scheduled, cancelled and fire', async (t) => {
  const demo = await startDemo(t);
  const alice = await demo.open('#/alice/notifications');
  const prefs = alice.getByRole('region', { name: 'Préférences de notification' });
  await prefs.getByRole('button', { name: 'Enregistrer les préférences' }).waitFor();

  await prefs.getByRole('checkbox', { name: 'E-mail — Événements' }).uncheck();
  await prefs.getByLabel('Envoi des e-mails').selectOption('digest');
  await prefs.getByRole('checkbox', { name: 'Pas d’e-mail pendant les heures calmes' }).check();
  await prefs.getByLabel('Début').fill('21:30');
  await prefs.getByLabel('Fuseau horaire').selectOption('Europe/Paris');
  await prefs.getByRole('button', { name: 'Enregistrer les préférences' }).click();
  await prefs.getByText('Préférences enregistrées.').waitFor();

  // Read back from the server after a reload.
  await alice.reload();
  await prefs.getByRole('button', { name: 'Enregistrer les préférences' }).waitFor();
  assert.equal(await prefs.getByRole('checkbox', { name: 'E-mail — Événements' }).isChecked(), false);
  assert.equal(await prefs.getByRole('checkbox', { name: 'Dans l’app — Événements' }).isChecked(), true);
  assert.equal(await prefs.getByRole('checkbox', { name: 'Dans l’app — Système' }).isDisabled(), true);
  assert.equal(await prefs.getByLabel('Envoi des e-mails').inputValue(), 'digest');
  assert.equal(await prefs.getByLabel('Début').inputValue(), '21:30');
  assert.equal(await prefs.getByLabel('Fin').inputValue(), '07:00');

  // A reminder for herself, a few minutes ahead (the form's default time), then cancelled.
  const reminders = alice.getByRole('region', { name: 'Rappels' });
  await reminders.getByLabel('Titre').fill('Vérifier le matériel');
  await reminders.getByRole('button', { name: 'Programmer le rappel' }).click();
  const pending = reminders.getByRole('listitem').filter({ hasText: 'Vérifier le matériel' });
  await pending.getByText('en attente').waitFor();
  await expectAccessible(alice, 'the notifications page: preferences, a reminder pending');
  await pending.getByRole('button', { name: 'Supprimer' }).click();
  await pending.waitFor({ state: 'detached' });

  // One due in a moment (made over REST: the form is to the minute) fires into the bell.
  const { token } = await (await fetch(`${demo.base}/local/demo/session?as=alice`)).json();
  const response = await fetch(`${demo.base}/v1/reminders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ at: new Date(Date.now() + 5_000).toISOString(), title: 'Appeler le centre', users: ['alice'] }),
  });
  assert.equal(response.status, 201, await response.text());
  await alice.getByRole('region', { name: 'Alertes' }).getByText('Appeler le centre').waitFor();
  await alice.getByRole('button', { name: 'Notifications, 1 non lue' }).waitFor();
  await reminders.getByRole('listitem').filter({ hasText: 'Appeler le centre' }).getByText(/^envoyé/).waitFor();
  await alice.getByRole('region', { name: 'Notifications' }).getByText('Appeler le centre').waitFor();
  await expectAccessible(alice, 'the notifications page: a reminder sent, its notification and toast');

  demo.assertNoPageErrors();
});
