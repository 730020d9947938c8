// A visitor of "Les Fleurs de Paul" chats with Paul: the guest through the storefront's chat
// card, Paul through his partner inbox, where the conversation shows with its unread badge. The
// demo tenant masks phone numbers and e-mail addresses in storefront conversations. Both screens
// pass the accessibility audit; the image viewer keeps focus while open and gives it back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './support/accessibility.js';
import { bouquet, eventually, startDemo } from './support/demo.js';
import { expectFocusCycles, expectFocusOn, expectFocusWithin } from './support/focus.js';

test('a guest and the partner chat both ways through the storefront card and the partner inbox', async (t) => {
  const demo = await startDemo(t);

  const paul = await demo.open('#/paul/inbox');
  const inbox = paul.getByRole('list', { name: 'Conversations de la boutique' });
  await paul.getByText('Aucun visiteur n’a encore écrit.', { exact: false }).waitFor();

  const guest = await demo.open('#/guest');
  await guest.getByRole('heading', { name: 'Les Fleurs de Paul' }).waitFor();
  await expectAccessible(guest, 'the storefront, before the chat');
  await guest.getByLabel('Votre prénom').fill('Zoé');
  await guest.getByRole('button', { name: 'Démarrer la discussion' }).click();
  const guestMessages = guest.getByRole('list', { name: 'Messages' });
  await guest.getByText('Pas encore de message. Dites bonjour !').waitFor();
  // The messages are a live log (read out as they come), named, the list inside it.
  const guestLog = guest.getByRole('log', { name: 'Fil des messages' });
  assert.equal(await guestLog.getAttribute('aria-live'), 'polite');
  await guest.getByText('Téléphones et e-mails masqués (•••) jusqu’à la réservation.').waitFor();
  await guest.getByLabel('Votre message').fill('Bonjour ! Avez-vous des pivoines pour un mariage en juin ?');
  await guest.getByLabel('Votre message').press('Enter');
  const question = guestMessages.getByRole('listitem').filter({ hasText: 'Avez-vous des pivoines' });
  await question.getByRole('img', { name: 'Envoyé' }).waitFor();

  // Paul's inbox: Zoé's conversation, unread, with her message as its preview.
  const zoe = inbox.getByRole('listitem').filter({ hasText: 'Zoé' });
  await zoe.getByLabel('1 message non lu').waitFor();
  await zoe.getByText('Avez-vous des pivoines', { exact: false }).waitFor();
  await expectAccessible(paul, 'the partner inbox, a conversation unread');

  // Opening it reads it: the badge goes, and Zoé sees her message read.
  await zoe.getByRole('link').click();
  const paulMessages = paul.getByRole('list', { name: 'Messages' });
  await paulMessages.getByText('Bonjour ! Avez-vous des pivoines pour un mariage en juin ?').waitFor();
  await zoe.getByLabel('1 message non lu').waitFor({ state: 'detached' });
  await question.getByRole('img', { name: 'Lu' }).waitFor();

  // Paul answers; Zoé sees it live, and answers back.
  await paul.getByLabel('Votre message').fill('Bonjour Zoé, oui : des pivoines Sarah Bernhardt, dès fin mai.');
  await paul.getByRole('button', { name: 'Envoyer' }).click();
  await guestMessages.getByText('Bonjour Zoé, oui : des pivoines Sarah Bernhardt, dès fin mai.').waitFor();
  await guest.getByLabel('Votre message').fill('Parfait, merci !');
  await guest.getByRole('button', { name: 'Envoyer' }).click();
  await paulMessages.getByText('Parfait, merci !').waitFor();
  await zoe.getByText('Parfait, merci !', { exact: false }).waitFor();
  await guestLog.getByRole('list', { name: 'Messages' }).getByText('Parfait, merci !').waitFor();
  await guestMessages.getByRole('listitem').filter({ hasText: 'Parfait, merci !' }).getByRole('img', { name: 'Lu' }).waitFor();
  await expectAccessible(guest, 'the storefront’s chat card');
  await expectAccessible(paul, 'the partner inbox, a conversation open');

  // A reload keeps the guest's conversation (its session is kept in the tab).
  await guest.reload();
  await guestMessages.getByText('Bonjour Zoé, oui : des pivoines Sarah Bernhardt, dès fin mai.').waitFor();

  demo.assertNoPageErrors();
});

test('a guest sends a photo from the storefront card, and Paul sees it and opens it full size', async (t) => {
  const demo = await startDemo(t);
  const paul = await demo.open('#/paul/inbox');
  const guest = await demo.open('#/guest');
  await guest.getByLabel('Votre prénom').fill('Zoé');
  await guest.getByRole('button', { name: 'Démarrer la discussion' }).click();
  await guest.getByText('Pas encore de message. Dites bonjour !').waitFor();

  await guest.locator('input[type=file]').setInputFiles({
    name: 'bouquet.png',
    mimeType: 'image/png',
    buffer: await bouquet(guest),
  });
  const chosen = guest.getByRole('list', { name: 'Fichiers à envoyer' });
  await chosen.getByText('bouquet.png').waitFor();
  await guest.getByLabel('Votre message').fill('Une idée du bouquet que j’imagine');
  await guest.getByRole('button', { name: 'Envoyer' }).click();
  await chosen.waitFor({ state: 'detached' });
  // The thumbnail is made in the background: the message shows it once it is.
  const guestMessages = guest.getByRole('list', { name: 'Messages' });
  await guestMessages.getByRole('button', { name: 'Voir bouquet.png en grand' }).waitFor();

  const zoe = paul.getByRole('list', { name: 'Conversations de la boutique' }).getByRole('listitem').filter({ hasText: 'Zoé' });
  await zoe.getByText('Une idée du bouquet', { exact: false }).waitFor();
  await zoe.getByRole('link').click();
  const paulMessages = paul.getByRole('list', { name: 'Messages' });
  await paulMessages.getByText('Une idée du bouquet que j’imagine').waitFor();
  const thumbnail = paulMessages.getByRole('img', { name: 'bouquet.png' });
  await thumbnail.waitFor();
  await eventually(async () => (await thumbnail.evaluate((img) => img.complete && img.naturalWidth)) === 320, {
    what: 'the thumbnail loaded, 320 pixels wide',
  });
  const opener = paulMessages.getByRole('button', { name: 'Voir bouquet.png en grand' });
  await opener.click();
  const viewer = paul.getByRole('dialog', { name: 'Visionneuse' });
  const full = viewer.getByRole('img', { name: 'bouquet.png' });
  await eventually(async () => (await full.evaluate((img) => img.complete && img.naturalWidth)) === 640, {
    what: 'the photo, full size',
  });
  await expectAccessible(paul, 'the image viewer');

  // A modal dialog: focus moves into it and Tab stays there (its one button); Escape closes
  // it and focus is back on the thumbnail; so does its button.
  await expectFocusWithin(viewer, 'the image viewer');
  assert.equal(await expectFocusCycles(paul, viewer, 'the image viewer'), 1);
  await paul.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });
  await expectFocusOn(opener, 'the thumbnail that opened the viewer');
  await opener.press('Enter');
  await expectFocusWithin(viewer, 'the image viewer, opened from the keyboard');
  await viewer.getByRole('button', { name: 'Fermer' }).click();
  await viewer.waitFor({ state: 'detached' });
  await expectFocusOn(opener, 'the thumbnail, after "Close"');

  demo.assertNoPageErrors();
});

test('a phone number a guest writes to the shop is masked, for the guest and for Paul', async (t) => {
  const demo = await startDemo(t);
  const paul = await demo.open('#/paul/inbox');
  const guest = await demo.open('#/guest');
  await guest.getByLabel('Votre prénom').fill('Zoé');
  await guest.getByRole('button', { name: 'Démarrer la discussion' }).click();
  await guest.getByText('Téléphones et e-mails masqués (•••) jusqu’à la réservation.').waitFor();
  await guest.getByLabel('Votre message').fill('Rappelez-moi au 06 12 34 56 78 ou zoe@example.com');
  await guest.getByLabel('Votre message').press('Enter');
  // Stored masked character by character (spaces kept): the guest's own copy says so too.
  const masked = `Rappelez-moi au •• •• •• •• •• ou ${'•'.repeat('zoe@example.com'.length)}`;
  await guest.getByRole('list', { name: 'Messages' }).getByText(masked).waitFor();

  const inbox = paul.getByRole('list', { name: 'Conversations de la boutique' });
  await inbox.getByRole('listitem').filter({ hasText: 'Zoé' }).getByRole('link').click();
  await paul.getByRole('list', { name: 'Messages' }).getByText(masked).waitFor();
  assert.equal(await paul.getByText('06 12 34 56 78', { exact: false }).count(), 0);

  demo.assertNoPageErrors();
});
