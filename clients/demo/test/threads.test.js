// Replies in threads: Bob opens the thread of Alice's question in the side panel (focus in its
// box); Alice answers in the thread, and Bob sees the reply arrive live in his panel while his
// conversation only counts it under the question ("1 réponse"); her next reply, "also sent to
// the conversation", shows in his conversation too. Escape closes the panel and focus goes back
// to what opened it. The conversation with the panel open passes the accessibility audit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './support/accessibility.js';
import { eventually, expectText, restAs, startDemo } from './support/demo.js';
import { expectFocusOn } from './support/focus.js';

test('alice replies in a thread: bob sees it live in his thread panel, and the reply count under the question', async (t) => {
  const demo = await startDemo(t);
  const aliceRest = await restAs(demo, 'alice');
  const group = (await aliceRest.createConversation({ kind: 'group', title: 'Garde du week-end', memberIds: ['bob'] })).value;
  await aliceRest.postMessage(group.id, 'Qui prend la garde samedi ?');

  const bob = await demo.open(`#/bob/messages/${group.id}`);
  const alice = await demo.open(`#/alice/messages/${group.id}`);
  const question = (page) =>
    page
      .getByRole('region', { name: 'Garde du week-end' })
      .getByRole('list', { name: 'Messages' })
      .getByRole('listitem')
      .filter({ hasText: 'Qui prend la garde samedi ?' });
  await question(bob).waitFor();

  // Bob opens the question's thread: a named side panel, focus in its box, no reply yet.
  const replyInThread = question(bob).getByRole('button', { name: 'Répondre dans le fil' });
  await replyInThread.click();
  const panel = bob.getByRole('complementary', { name: 'Fil de discussion' });
  await panel.getByText('Pas encore de réponse.').waitFor();
  await panel.getByText('Qui prend la garde samedi ?').waitFor();
  await expectFocusOn(panel.getByLabel('Votre réponse'), 'the thread’s box');
  await expectAccessible(bob, 'a conversation with its thread panel open');

  // Alice answers in the thread only: live in Bob's panel, counted under the question in his
  // conversation, not shown in it.
  await question(alice).getByRole('button', { name: 'Répondre dans le fil' }).click();
  const alicePanel = alice.getByRole('complementary', { name: 'Fil de discussion' });
  await expectFocusOn(alicePanel.getByLabel('Votre réponse'), 'Alice’s thread box');
  await alice.keyboard.type('Moi, de 8 h à 20 h.');
  await alice.keyboard.press('Enter');
  const bobReplies = panel.getByRole('log', { name: 'Réponses du fil' });
  await bobReplies.getByText('Moi, de 8 h à 20 h.').waitFor();
  await expectText(panel.locator('.reply-total'), '1 réponse');
  const count = question(bob).getByRole('button', { name: /^1 réponse · dernière à \d\d:\d\d$/ });
  await count.waitFor();
  const bobConversation = bob.getByRole('region', { name: 'Garde du week-end' });
  assert.equal(await bobConversation.getByText('Moi, de 8 h à 20 h.').count(), 0, 'a reply in the thread only');

  // Her next reply also goes to the conversation: there for Bob too, and counted.
  await alicePanel.getByRole('checkbox', { name: 'Aussi envoyer à la conversation' }).check();
  await alicePanel.getByLabel('Votre réponse').fill('Et je prends dimanche.');
  await alicePanel.getByLabel('Votre réponse').press('Enter');
  await bobReplies.getByText('Et je prends dimanche.').waitFor();
  const shownToo = bobConversation.getByRole('listitem').filter({ hasText: 'Et je prends dimanche.' });
  await shownToo.getByRole('button', { name: 'Réponse dans un fil — le voir' }).waitFor();
  await question(bob).getByRole('button', { name: /^2 réponses · / }).waitFor();
  await expectText(panel.locator('.reply-total'), '2 réponses');
  await expectAccessible(bob, 'a thread with replies, one also in the conversation');

  // Escape closes the panel; focus goes back to "Reply in thread". The count reopens it, with
  // both replies; "Close" gives focus back to the count.
  await panel.getByLabel('Votre réponse').focus();
  await bob.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  await expectFocusOn(replyInThread, '“Reply in thread”');
  const twoReplies = question(bob).getByRole('button', { name: /^2 réponses · / });
  await twoReplies.click();
  await panel.getByText('Moi, de 8 h à 20 h.').waitFor();
  await eventually(async () => (await panel.getByRole('log').getByRole('listitem').count()) === 2, {
    what: 'both replies in the thread',
  });
  await panel.getByRole('button', { name: 'Fermer le fil' }).click();
  await panel.waitFor({ state: 'detached' });
  await expectFocusOn(twoReplies, 'the reply count');

  demo.assertNoPageErrors();
});
