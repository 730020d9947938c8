// The operator makes e-mail sends fail: an e-mail job (Ada's notification to Bob, whose
// preferences send e-mails at once) is retried, then dead-lettered; with sends working again,
// the redrive button sends it and the e-mail shows in the local outbox. The page passes the
// accessibility audit with a dead letter, then with the outbox.

import { test } from 'node:test';
import { expectAccessible } from './support/accessibility.js';
import { expectText, startDemo } from './support/demo.js';

test('a failing e-mail is dead-lettered, then redriven into the outbox', async (t) => {
  const demo = await startDemo(t);
  const operator = await demo.open('#/operator');
  const emails = operator.locator('tr[data-queue="emails"]');
  const deadLetters = emails.locator('[data-col="deadLettered"]');
  await expectText(deadLetters, '0');
  await operator.getByText('Aucun e-mail envoyé pour l’instant.').waitFor();

  const failures = operator.getByRole('checkbox', { name: 'Faire échouer les envois d’e-mails' });
  await failures.check();

  const ada = await demo.open('#/ada/notifications');
  const form = ada.getByRole('region', { name: 'Envoyer une notification' });
  await form.getByRole('checkbox', { name: 'Bob Durand' }).check();
  await form.getByLabel('Titre').fill('Révision des extincteurs');
  await form.getByRole('button', { name: 'Envoyer' }).click();
  await form.getByText('Notification envoyée à 1 personne.').waitFor();

  // Five failed attempts later, one dead letter.
  await expectText(deadLetters, '1', 'one dead-lettered e-mail');
  await operator.getByText('Aucun e-mail envoyé pour l’instant.').waitFor();
  await expectAccessible(operator, 'the operator page, a dead letter');

  // Sends work again; redrive.
  await failures.uncheck();
  await operator.getByRole('button', { name: 'Relancer les lettres mortes de la file E-mails' }).click();
  await operator.getByText('1 tâche relancée dans E-mails.').waitFor();
  await expectText(deadLetters, '0', 'no dead letter after the redrive');
  const outbox = operator.getByRole('table', { name: 'Boîte d’envoi locale' });
  const sent = outbox.getByRole('row').filter({ hasText: 'bob@demo.missive.localhost' });
  await sent.getByText('Révision des extincteurs').waitFor();
  await expectAccessible(operator, 'the operator page, the outbox');

  demo.assertNoPageErrors();
});
