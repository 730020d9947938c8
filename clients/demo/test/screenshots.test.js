// Screenshots of the main screens, with a little life in them, into target/demo-screenshots/
// (`npm run docs-images` copies the README's ones into docs/images/). The data is set up over
// REST with the demo's own tokens; what shows is then waited for, as a person would see it.

import { test } from 'node:test';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { MissiveRest } from '@missive/client';
import { bouquet, eventually, expectText, screenshotDir, startDemo } from './support/demo.js';

test('screenshots of the main screens', async (t) => {
  const demo = await startDemo(t);
  const dir = screenshotDir();
  const shot = (page, name) => page.screenshot({ path: join(dir, `${name}.png`) });
  const restAs = async (user) => {
    const { token } = await (await fetch(`${demo.base}/local/demo/session?as=${user}`)).json();
    return new MissiveRest({ baseUrl: demo.base, getToken: () => token });
  };
  const [alice, bob, ada] = await Promise.all(['alice', 'bob', 'ada'].map(restAs));

  // Home.
  const home = await demo.open();
  await home.getByRole('heading', { name: 'Choisissez un rôle' }).waitFor();
  await shot(home, 'home');

  // A guest, Zoé, asks Paul about peonies; he answers from his inbox. Camille writes too.
  const paul = await demo.open('#/paul/inbox');
  const guest = await demo.open('#/guest');
  await guest.getByLabel('Votre prénom').fill('Zoé');
  await guest.getByRole('button', { name: 'Démarrer la discussion' }).click();
  await guest.getByLabel('Votre message').fill('Bonjour ! Avez-vous des pivoines pour un mariage le 14 juin ?');
  await guest.getByLabel('Votre message').press('Enter');
  const camille = await new MissiveRest({ baseUrl: demo.base }).createGuestSession('demo-storefront', { name: 'Camille' });
  await new MissiveRest({ baseUrl: demo.base, getToken: () => camille.token }).postMessage(
    camille.conversation.id,
    'Bonsoir, faites-vous aussi les centres de table ?',
  );
  const inbox = paul.getByRole('list', { name: 'Conversations de la boutique' });
  await inbox.getByRole('listitem').filter({ hasText: 'Camille' }).getByLabel('1 message non lu').waitFor();
  await inbox.getByRole('link', { name: /Zoé/ }).click();
  await paul.getByLabel('Votre message').fill('Bonjour Zoé ! Oui, des pivoines Sarah Bernhardt, roses poudrées. Quel budget ?');
  await paul.getByLabel('Votre message').press('Enter');
  await guest.getByText('Quel budget ?', { exact: false }).waitFor();
  await guest.getByLabel('Votre message').fill('Environ 200 € pour le bouquet');
  await guest.getByLabel('Votre message').press('Enter');
  await paul.getByRole('list', { name: 'Messages' }).getByText('Environ 200 € pour le bouquet').waitFor();
  // And a photo of the bouquet she has in mind.
  await guest.locator('input[type=file]').setInputFiles({ name: 'bouquet.png', mimeType: 'image/png', buffer: await bouquet(guest) });
  await guest.getByLabel('Votre message').fill('Quelque chose comme ça');
  await guest.getByLabel('Votre message').press('Enter');
  for (const page of [guest, paul]) {
    const photo = page.getByRole('list', { name: 'Messages' }).getByRole('img', { name: 'bouquet.png' });
    await eventually(async () => (await photo.evaluate((img) => img.complete && img.naturalWidth)) > 0, {
      what: 'the photo shown',
    });
  }
  await guest.getByRole('img', { name: 'Lu' }).last().waitFor();
  await shot(guest, 'storefront');
  await shot(paul, 'partner-inbox');

  // Alice's messenger: a group of the weekend's duty, and a direct chat with Bob, who is online
  // and typing.
  const group = (await alice.createConversation({ kind: 'group', title: 'Garde du week-end', memberIds: ['bob', 'ada'] })).value;
  await ada.postMessage(group.id, 'Qui prend la garde de samedi soir ?');
  await bob.postMessage(group.id, 'Moi, je suis dispo à partir de 18 h.');
  const direct = (await alice.createConversation({ kind: 'direct', userId: 'bob' })).value;
  await bob.postMessage(direct.id, 'Tu peux me remplacer mardi matin ?');
  await alice.postMessage(direct.id, 'Oui, pas de souci. Je prends ton créneau.');
  await bob.postMessage(direct.id, 'Merci, je te revaudrai ça !');
  const bobPage = await demo.open(`#/bob/messages/${direct.id}`);
  const alicePage = await demo.open(`#/alice/messages/${direct.id}`);
  const thread = alicePage.getByRole('region', { name: 'Bob Durand' });
  await thread.getByText('Merci, je te revaudrai ça !').waitFor();
  await thread.getByRole('list', { name: 'Membres' }).getByRole('img', { name: 'En ligne' }).waitFor();
  await thread.getByRole('img', { name: 'Lu' }).waitFor();
  const bobBox = bobPage.getByLabel('Votre message');
  let draft = 'Au fait, pour';
  await bobBox.fill(draft);
  await eventually(
    async () => {
      if (await thread.getByText('Bob Durand écrit…').isVisible()) return true;
      draft += ' le';
      await bobBox.fill(draft);
      return false;
    },
    { what: 'Alice to see Bob typing', everyMs: 500 },
  );
  await shot(alicePage, 'messenger');

  // Ada's notification: a toast, then the bell opened.
  await ada.createNotifications({
    users: ['alice'],
    type: 'event',
    title: 'Exercice incendie samedi',
    body: 'Rendez-vous à 9 h à la caserne centrale, tenue complète.',
    actionUrl: '/demo/#/alice/notifications',
    actionLabel: 'Voir le planning',
  });
  // The toast itself is asserted by notifications.test.js; the picture here is the bell's.
  await alicePage.getByRole('button', { name: /^Notifications, \d+ non lues?$/ }).click();
  await alicePage.getByRole('dialog', { name: 'Notifications' }).getByText('Exercice incendie samedi').waitFor();
  await shot(alicePage, 'bell');

  // Preferences and reminders.
  await alice.createReminder({
    at: new Date(Date.now() + 26 * 3600_000).toISOString(),
    title: 'Vérifier le matériel',
    users: ['alice'],
  });
  const settings = await demo.open('#/alice/notifications');
  await settings.getByRole('heading', { name: 'Préférences de notification' }).waitFor();
  await settings.getByRole('button', { name: 'Enregistrer les préférences' }).waitFor();
  await settings.getByText('Vérifier le matériel').waitFor();
  await shot(settings, 'preferences');

  // The operator: one e-mail dead-lettered while sends fail, beside the outbox.
  const operator = await demo.open('#/operator');
  const deadLetters = operator.locator('tr[data-queue="emails"] [data-col="deadLettered"]');
  await expectText(deadLetters, '0');
  await operator.getByRole('table', { name: 'Boîte d’envoi locale' }).getByText('Exercice incendie samedi').waitFor();
  await operator.getByRole('checkbox', { name: 'Faire échouer les envois d’e-mails' }).check();
  await ada.createNotifications({ users: ['bob'], type: 'system', title: 'Maintenance de la radio' });
  // (An e-mail of the messages above still on its way may fail too: at least one, then.)
  await eventually(async () => Number(await deadLetters.textContent({ timeout: 1_000 })) >= 1, {
    what: 'a dead letter',
  });
  await operator.getByRole('checkbox', { name: 'Faire échouer les envois d’e-mails' }).uncheck();
  await shot(operator, 'queues');

  // Ada's admin screen: a webhook to a receiver of the test's, its test event delivered, and
  // the tenant's moderation beside "try a message".
  const receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.after(() => receiver.close());
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/crm`;
  const admin = await demo.open('#/ada/admin', { viewport: { width: 1280, height: 1500 } });
  const newWebhook = admin.getByRole('form', { name: 'Nouveau webhook' });
  await newWebhook.getByLabel('Adresse (URL)').fill(hookUrl);
  await newWebhook.getByLabel('Description (facultative)').fill('Le CRM de la caserne');
  await newWebhook.getByRole('checkbox', { name: 'message.created' }).check();
  await newWebhook.getByRole('button', { name: 'Créer le webhook' }).click();
  await admin.getByRole('button', { name: 'C’est noté' }).click();
  await admin.getByRole('button', { name: 'Envoyer un test' }).click();
  const log = admin.getByRole('table', { name: `Livraisons vers ${hookUrl}` });
  await expectText(log.locator('[data-col="status"]').first(), 'livrée');
  const trial = admin.getByRole('form', { name: 'Essayer un message' });
  await trial.getByLabel('Message à essayer').fill('Appelez-moi au 06 12 34 56 78');
  await trial.getByRole('button', { name: 'Essayer' }).click();
  await trial.getByRole('status').waitFor();
  await shot(admin, 'admin');

  // Status.
  const status = await demo.open('#/status');
  await status.getByText('Opérationnel').waitFor();
  await shot(status, 'status');

  demo.assertNoPageErrors();
});
