// Mentions: Alice, from the keyboard only, picks Bob among the group's members that "@"
// suggests; the message shows "@Bob Durand" as a chip on both sides, the conversation list's
// preview names him too, and Bob hears of it — his bell counts a "mention" and a toast shows it.
// A token naming someone outside the conversation stays as typed. The suggestions and the chips
// pass the accessibility audit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './support/accessibility.js';
import { eventually, restAs, startDemo } from './support/demo.js';

test('alice mentions bob through the suggestions, with the keyboard; bob sees the chip and a mention in his bell', async (t) => {
  const demo = await startDemo(t);
  const aliceRest = await restAs(demo, 'alice');
  const group = (await aliceRest.createConversation({ kind: 'group', title: 'Garde du week-end', memberIds: ['bob', 'ada'] }))
    .value;

  const bob = await demo.open('#/bob/messages');
  await bob.getByText('Connecté', { exact: true }).waitFor();
  await bob.getByRole('button', { name: 'Notifications, aucune non lue' }).waitFor();

  const alice = await demo.open(`#/alice/messages/${group.id}`);
  const thread = alice.getByRole('region', { name: 'Garde du week-end' });
  await thread.getByText('Pas encore de message. Dites bonjour !').waitFor();
  const box = thread.getByLabel('Votre message');
  await box.focus();

  // "@" after a space: the other members, by name; the first is the one in hand.
  await alice.keyboard.type('Qui prend samedi ? @');
  const suggestions = alice.getByRole('listbox', { name: 'Membres à mentionner' });
  const options = suggestions.getByRole('option');
  await suggestions.waitFor();
  assert.deepEqual(await options.allTextContents(), ['@Ada Lovelace', '@Bob Durand']);
  const activeOption = async () => {
    const id = await box.getAttribute('aria-activedescendant');
    return id && alice.evaluate((id) => document.getElementById(id)?.textContent, id);
  };
  assert.equal(await activeOption(), '@Ada Lovelace');
  assert.equal(await box.getAttribute('aria-controls'), await suggestions.getAttribute('id'));
  await alice.getByRole('status').filter({ hasText: '2 membres proposés' }).waitFor();
  await expectAccessible(alice, 'the mention suggestions');

  // ↓ moves to Bob (and round again); Escape closes the list, focus still in the box.
  await alice.keyboard.press('ArrowDown');
  await eventually(async () => (await activeOption()) === '@Bob Durand', { what: 'Bob in hand' });
  assert.equal(await suggestions.getByRole('option', { name: '@Bob Durand' }).getAttribute('aria-selected'), 'true');
  await alice.keyboard.press('ArrowDown');
  await eventually(async () => (await activeOption()) === '@Ada Lovelace', { what: 'round to Ada' });
  await alice.keyboard.press('Escape');
  await suggestions.waitFor({ state: 'detached' });
  assert.equal(await box.getAttribute('aria-activedescendant'), null);
  assert.equal(await box.evaluate((el) => el === document.activeElement), true);

  // Typed again, narrowed by the name's beginning: Tab takes Bob, as a token.
  await alice.keyboard.press('Backspace');
  await alice.keyboard.type('@bo');
  await eventually(async () => (await options.allTextContents()).join() === '@Bob Durand', { what: 'only Bob suggested' });
  await alice.keyboard.press('Tab');
  await suggestions.waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), 'Qui prend samedi ? <@bob> ');
  await alice.keyboard.type('tu es dispo ?');
  await alice.keyboard.press('Enter');
  await eventually(async () => (await box.inputValue()) === '', { what: 'the box emptied by the send' });

  // Alice's message shows the chip in place of the token.
  const aliceMessages = thread.getByRole('list', { name: 'Messages' });
  const sent = aliceMessages.getByRole('listitem').filter({ hasText: 'tu es dispo ?' });
  await sent.getByText('@Bob Durand', { exact: true }).waitFor();
  assert.equal(await sent.getByText('<@bob>', { exact: false }).count(), 0);

  // Bob: a mention in his bell (and a toast naming him), the preview naming him, the chip.
  const bell = bob.getByRole('button', { name: 'Notifications, 1 non lue' });
  await bell.waitFor();
  await bob
    .getByRole('region', { name: 'Alertes' })
    .getByText('Qui prend samedi ? @Bob Durand tu es dispo ?')
    .waitFor();
  await bell.click();
  const panel = bob.getByRole('dialog', { name: 'Notifications' });
  const mention = panel.getByRole('listitem').filter({ hasText: 'Qui prend samedi ? @Bob Durand tu es dispo ?' });
  await mention.getByText('Mentions', { exact: true }).waitFor();
  await bob.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });

  const link = bob.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Garde du week-end/ });
  await link.getByText('Alice : Qui prend samedi ? @Bob Durand tu es dispo ?').waitFor();
  await link.click();
  const bobThread = bob.getByRole('region', { name: 'Garde du week-end' });
  const bobMessages = bobThread.getByRole('list', { name: 'Messages' });
  const chip = bobMessages.getByText('@Bob Durand', { exact: true });
  await chip.waitFor();
  assert.match(await chip.getAttribute('class'), /\bme\b/, 'his own mention stands out');
  await expectAccessible(bob, 'a message with a mention');

  // A token naming someone outside the conversation is not a mention: it stays as typed.
  await aliceRest.postMessage(group.id, '<@paul> n’est pas de la brigade');
  await bobMessages.getByText('<@paul> n’est pas de la brigade', { exact: true }).waitFor();

  demo.assertNoPageErrors();
});
