// Pins: Alice pins a message of the group; Bob's header counts it live, and his list of pinned
// messages shows it, pinned by Alice; "Show in the conversation" closes the list and takes him
// to the message (focused, highlighted). Alice unpins it and Bob's count goes back to none. The
// list open passes the accessibility audit, and gives focus back to its button when closed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './support/accessibility.js';
import { eventually, restAs, startDemo } from './support/demo.js';
import { expectFocusOn } from './support/focus.js';

test('alice pins a message: bob sees the count and the message in his pinned list, and is taken to it', async (t) => {
  const demo = await startDemo(t);
  const aliceRest = await restAs(demo, 'alice');
  const group = (await aliceRest.createConversation({ kind: 'group', title: 'Garde du week-end', memberIds: ['bob'] })).value;
  await aliceRest.postMessage(group.id, 'Le planning de décembre est affiché au poste.');
  await aliceRest.postMessage(group.id, 'Pensez à signer la feuille.');

  const bob = await demo.open(`#/bob/messages/${group.id}`);
  const alice = await demo.open(`#/alice/messages/${group.id}`);
  const conversation = (page) => page.getByRole('region', { name: 'Garde du week-end' });
  const planning = (page) =>
    conversation(page).getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'Le planning de décembre' });
  const bobPins = conversation(bob).getByRole('button', { name: 'Épinglés (0)' });
  await bobPins.waitFor();

  // Alice pins the planning: marked on her side, counted in her header.
  await planning(alice).getByRole('button', { name: 'Épingler' }).click();
  await conversation(alice).getByRole('button', { name: 'Épinglés (1)' }).waitFor();
  await planning(alice).getByText('épinglé', { exact: true }).waitFor();
  await planning(alice).getByRole('button', { name: 'Désépingler' }).waitFor();

  // Bob's header counts it live; his list shows it, pinned by Alice.
  const pinsButton = conversation(bob).getByRole('button', { name: 'Épinglés (1)' });
  await pinsButton.click();
  const list = bob.getByRole('dialog', { name: 'Messages épinglés' });
  const pinned = list.getByRole('listitem').filter({ hasText: 'Le planning de décembre est affiché au poste.' });
  await pinned.getByText(/^épinglé par Alice Martin, \d\d:\d\d$/).waitFor();
  await expectAccessible(bob, 'the pinned messages open');

  // Escape closes it, focus back on its button; "Show in the conversation" takes him to the message.
  await bob.keyboard.press('Escape');
  await list.waitFor({ state: 'detached' });
  await expectFocusOn(pinsButton, 'the pinned messages’ button');
  await pinsButton.click();
  await pinned.getByRole('button', { name: 'Voir dans la conversation' }).click();
  await list.waitFor({ state: 'detached' });
  await expectFocusOn(planning(bob), 'the pinned message in the conversation');
  assert.match(await planning(bob).getAttribute('class'), /\bhighlighted\b/);

  // Alice unpins it: Bob's count goes back to none.
  await planning(alice).getByRole('button', { name: 'Désépingler' }).click();
  await eventually(async () => (await conversation(bob).getByRole('button', { name: 'Épinglés (0)' }).count()) === 1, {
    what: 'Bob’s count back to none',
  });

  demo.assertNoPageErrors();
});
