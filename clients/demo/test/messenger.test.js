// Alice and Bob, colleagues, in a direct chat: who is online, who is typing, what was read,
// and edits and deletions (confirmed first) seen on the other side; the messenger passes the
// accessibility audit, and the new conversation dialog keeps focus while open and gives it back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './support/accessibility.js';
import { eventually, startDemo } from './support/demo.js';
import { expectFocusCycles, expectFocusOn, expectFocusWithin } from './support/focus.js';

test('alice and bob in a direct chat: online, typing, read receipts, edit and delete', async (t) => {
  const demo = await startDemo(t);
  const alice = await demo.open('#/alice/messages');
  const bob = await demo.open('#/bob/messages');
  await bob.getByText('Aucune conversation pour l’instant.').waitFor();

  // Alice starts a conversation with Bob from the dialog.
  await alice.getByRole('button', { name: 'Nouvelle conversation' }).click();
  const dialog = alice.getByRole('dialog', { name: 'Nouvelle conversation' });
  await dialog.getByRole('radio', { name: /Bob Durand/ }).check();
  await dialog.getByRole('button', { name: 'Créer' }).click();
  await dialog.waitFor({ state: 'detached' });
  const aliceThread = alice.getByRole('region', { name: 'Bob Durand' });
  await aliceThread.getByText('Pas encore de message. Dites bonjour !').waitFor();

  // Bob is online: a green dot beside his name in Alice's conversation.
  await aliceThread.getByRole('list', { name: 'Membres' }).getByRole('img', { name: 'En ligne' }).waitFor();

  // The new conversation reaches Bob's list; he opens it.
  await bob.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Alice Martin/ }).click();
  const bobThread = bob.getByRole('region', { name: 'Alice Martin' });
  await bobThread.getByText('Pas encore de message. Dites bonjour !').waitFor();

  // Alice types: Bob sees it. A typing signal lasts a few seconds; on a slow machine the test
  // types again until Bob has seen one.
  const aliceBox = alice.getByLabel('Votre message');
  const typing = bobThread.getByText('Alice Martin écrit…');
  let draft = 'Salut Bob, tu es de garde samedi';
  await aliceBox.fill(draft);
  await eventually(
    async () => {
      if (await typing.isVisible()) return true;
      draft += ' ?';
      await aliceBox.fill(draft);
      return typing.isVisible();
    },
    { what: 'Bob to see Alice typing', everyMs: 500 },
  );

  // She sends: Bob gets the message, the indicator goes, and since Bob's conversation is open
  // he has read it: Alice's message turns ✓✓.
  await aliceBox.press('Enter');
  const bobMessages = bobThread.getByRole('list', { name: 'Messages' });
  await bobMessages.getByText(draft).waitFor();
  await typing.waitFor({ state: 'hidden' });
  const sent = aliceThread.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: draft });
  await sent.getByRole('img', { name: 'Lu' }).waitFor();

  // Bob answers; Alice's list and thread show it. The messages are a live log (read out as
  // they come), named, with the list inside it.
  await bob.getByLabel('Votre message').fill('Oui, de 8 h à 20 h.');
  await bob.getByLabel('Votre message').press('Enter');
  await aliceThread.getByText('Oui, de 8 h à 20 h.').waitFor();
  const aliceLog = aliceThread.getByRole('log', { name: 'Fil des messages' });
  assert.equal(await aliceLog.getAttribute('aria-live'), 'polite');
  await aliceLog.getByRole('list', { name: 'Messages' }).getByText('Oui, de 8 h à 20 h.').waitFor();
  await alice.getByRole('list', { name: 'Conversations' }).getByText('Oui, de 8 h à 20 h.', { exact: false }).waitFor();
  await expectAccessible(alice, 'the messenger, a conversation open');

  // Alice edits her message: Bob sees the new text, marked as edited.
  await sent.getByRole('button', { name: 'Modifier' }).click();
  await aliceThread.getByLabel('Modifier le message').fill('Salut Bob, tu es de garde dimanche ?');
  await aliceThread.getByRole('button', { name: 'Enregistrer' }).click();
  const edited = bobMessages.getByRole('listitem').filter({ hasText: 'Salut Bob, tu es de garde dimanche ?' });
  await edited.getByText('(modifié)').waitFor();

  // And deletes it, which asks to confirm: the first click only asks (focus on the question),
  // and "Cancel" keeps the message.
  const aliceEdited = aliceThread.getByRole('listitem').filter({ hasText: 'dimanche' });
  const remove = aliceEdited.getByRole('button', { name: 'Supprimer' });
  const confirm = aliceEdited.getByRole('button', { name: 'Confirmer la suppression' });
  await remove.click();
  await expectFocusOn(confirm, '"Confirm deletion"');
  await expectAccessible(alice, 'a deletion to confirm');
  await aliceEdited.getByRole('button', { name: 'Annuler' }).click();
  await expectFocusOn(remove, '"Delete", after "Cancel"');
  // Nothing was deleted: a message Alice sends after it reaches Bob, and the first is still there.
  await aliceBox.fill('Je te confirme demain.');
  await aliceBox.press('Enter');
  await bobMessages.getByText('Je te confirme demain.').waitFor();
  assert.equal(await bobMessages.getByText('Salut Bob, tu es de garde dimanche ?').count(), 1);
  assert.equal(await bobMessages.getByText('Message supprimé').count(), 0);
  // Confirmed, it goes: Bob sees a tombstone in its place.
  await remove.click();
  await confirm.click();
  await bobMessages.getByText('Message supprimé').waitFor();
  await bobMessages.getByText('Salut Bob, tu es de garde dimanche ?').waitFor({ state: 'detached' });
  await aliceThread.getByText('Message supprimé').waitFor();

  // The search finds the conversation by a participant's name, and nothing for a stranger.
  const search = alice.getByLabel('Rechercher une conversation');
  await search.fill('zzz');
  await alice.getByText('Aucune conversation ne correspond.').waitFor();
  await search.fill('bob');
  await alice.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Bob Durand/ }).waitFor();

  demo.assertNoPageErrors();
});

test('a group made in the dialog, its history paged back', async (t) => {
  const demo = await startDemo(t);
  const alice = await demo.open('#/alice/messages');
  await alice.getByRole('button', { name: 'Nouvelle conversation' }).click();
  const dialog = alice.getByRole('dialog', { name: 'Nouvelle conversation' });
  await dialog.getByRole('radio', { name: 'Groupe' }).check();
  await dialog.getByLabel('Nom du groupe').fill('Garde du week-end');
  await dialog.getByRole('checkbox', { name: /Bob Durand/ }).check();
  await dialog.getByRole('checkbox', { name: /Ada Lovelace/ }).check();
  await dialog.getByRole('button', { name: 'Créer' }).click();
  const thread = alice.getByRole('region', { name: 'Garde du week-end' });
  const members = thread.getByRole('list', { name: 'Membres' });
  await members.getByText('Bob Durand').waitFor();
  await members.getByText('Ada Lovelace').waitFor();

  // Bob writes 60 messages (over REST, as another device would): more than a page of history.
  const conversationId = decodeURIComponent(new URL(alice.url()).hash.split('/').at(-1));
  const { token } = await (await fetch(`${demo.base}/local/demo/session?as=bob`)).json();
  for (let i = 1; i <= 60; i++) {
    const response = await fetch(`${demo.base}/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: `Relevé n° ${i}`, clientMessageId: `releve-${i}` }),
    });
    if (response.status !== 201) throw new Error(`message ${i}: ${response.status} ${await response.text()}`);
  }
  const messages = thread.getByRole('list', { name: 'Messages' });
  await messages.getByText('Relevé n° 60', { exact: true }).waitFor();

  // A reload shows the newest page; "earlier messages" brings the first ones.
  await alice.reload();
  await messages.getByText('Relevé n° 60', { exact: true }).waitFor();
  await messages.getByText('Relevé n° 1', { exact: true }).waitFor({ state: 'detached' });
  await thread.getByRole('button', { name: 'Messages précédents' }).click();
  await messages.getByText('Relevé n° 1', { exact: true }).waitFor();
  await thread.getByRole('button', { name: 'Messages précédents' }).waitFor({ state: 'detached' });

  demo.assertNoPageErrors();
});

test('the new conversation dialog takes focus, keeps it, and gives it back to its button', async (t) => {
  const demo = await startDemo(t);
  const alice = await demo.open('#/alice/messages');
  await alice.getByText('Aucune conversation pour l’instant.').waitFor();
  await expectAccessible(alice, 'the messenger, no conversation yet');
  const opener = alice.getByRole('button', { name: 'Nouvelle conversation' });
  const dialog = alice.getByRole('dialog', { name: 'Nouvelle conversation' });

  // Opened: focus inside; Tab and Shift+Tab go round its controls and never leave it.
  await opener.click();
  await dialog.getByRole('radio', { name: /Bob Durand/ }).waitFor();
  await expectFocusWithin(dialog, 'the new conversation dialog');
  await expectAccessible(alice, 'the new conversation dialog');
  const stops = await expectFocusCycles(alice, dialog, 'the new conversation dialog');
  // The kind, the search, the people (one stop), "Cancel" and "Create".
  assert.equal(stops, 5);

  // Escape closes it, and focus is back on "New conversation".
  await alice.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await expectFocusOn(opener, '"New conversation", after Escape');

  // So does "Cancel", from the keyboard…
  await opener.press('Enter');
  await expectFocusWithin(dialog, 'the dialog, opened from the keyboard');
  await dialog.getByRole('button', { name: 'Annuler' }).press('Enter');
  await dialog.waitFor({ state: 'detached' });
  await expectFocusOn(opener, '"New conversation", after "Cancel"');

  // …and a click beside it, on the backdrop.
  await opener.click();
  await dialog.getByRole('radio', { name: /Bob Durand/ }).waitFor();
  await alice.mouse.click(10, 790);
  await dialog.waitFor({ state: 'detached' });
  await expectFocusOn(opener, '"New conversation", after a click beside the dialog');

  demo.assertNoPageErrors();
});
