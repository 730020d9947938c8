// Reactions, seen from both sides: Alice reacts to Bob's message through the picker, Bob adds
// his, Alice takes hers back — each change live on the other page, the reader's own chip
// pressed — and a reload shows the counts from history. The picker works from the keyboard
// (focus in, Escape out, focus back on "React"); a reaction the server refuses (a 21st emoji)
// is undone with a note. A guest and Paul react in the storefront chat too. The screens with
// reactions, and the picker open, pass the accessibility audit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './support/accessibility.js';
import { eventually, startDemo } from './support/demo.js';
import { expectFocusCycles, expectFocusOn, expectFocusWithin } from './support/focus.js';

/** A demo user's token, from the local runtime. */
async function tokenOf(demo, who) {
  const response = await fetch(`${demo.base}/local/demo/session?as=${who}`);
  if (!response.ok) throw new Error(`session of ${who}: ${response.status} ${await response.text()}`);
  return (await response.json()).token;
}

/** A call to the REST API as `token`, failing the test on anything but `status`. */
async function rest(demo, token, method, path, body, status) {
  const response = await fetch(`${demo.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A chip of `message`, by its full name (exact: "1 réaction" is within "1 réaction, la vôtre"). */
function chip(message, name) {
  return message.getByRole('group', { name: 'Réactions' }).getByRole('button', { name, exact: true });
}

/** Waits until `locator`'s aria-pressed is `pressed`. */
async function expectPressed(locator, pressed, what) {
  await eventually(async () => (await locator.getAttribute('aria-pressed', { timeout: 1_000 })) === String(pressed), {
    what: `${what} ${pressed ? 'pressed' : 'not pressed'}`,
  });
}

test('alice and bob react to a message: live on both sides, their own pressed, kept by a reload', async (t) => {
  const demo = await startDemo(t);
  const alice = await demo.open('#/alice/messages');
  const bob = await demo.open('#/bob/messages');
  await alice.getByText('Aucune conversation pour l’instant.').waitFor();
  await bob.getByText('Aucune conversation pour l’instant.').waitFor();

  // Alice's direct conversation with Bob, made as any client would; both open it.
  const direct = { kind: 'direct', userId: 'bob' };
  const conversation = await rest(demo, await tokenOf(demo, 'alice'), 'POST', '/v1/conversations', direct, 201);
  await alice.goto(`${demo.base}/demo/#/alice/messages/${encodeURIComponent(conversation.id)}`);
  await bob.goto(`${demo.base}/demo/#/bob/messages/${encodeURIComponent(conversation.id)}`);
  const aliceThread = alice.getByRole('region', { name: 'Bob Durand' });
  const bobThread = bob.getByRole('region', { name: 'Alice Martin' });
  await aliceThread.getByText('Pas encore de message. Dites bonjour !').waitFor();
  await bobThread.getByText('Pas encore de message. Dites bonjour !').waitFor();

  // Bob writes; Alice gets it.
  const text = 'Départ de la caserne à 7 h demain.';
  await bob.getByLabel('Votre message').fill(text);
  await bob.getByLabel('Votre message').press('Enter');
  const onAlice = aliceThread.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: text });
  const onBob = bobThread.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: text });
  await onAlice.waitFor();
  await onBob.getByRole('img', { name: 'Envoyé' }).or(onBob.getByRole('img', { name: 'Lu' })).waitFor();
  // No reaction yet: no bar.
  assert.equal(await onAlice.getByRole('group', { name: 'Réactions' }).count(), 0);

  // Alice reacts 👍 through the picker: the picker closes, her chip is pressed, and Bob sees
  // "👍 1" live, not pressed (it is not his).
  const aliceReact = onAlice.getByRole('button', { name: 'Réagir' });
  await onAlice.hover();
  await aliceReact.click();
  const alicePicker = alice.getByRole('dialog', { name: 'Choisir une réaction' });
  await alicePicker.getByRole('button', { name: 'pouce levé' }).click();
  await alicePicker.waitFor({ state: 'detached' });
  await expectPressed(chip(onAlice, '👍 1 réaction, la vôtre'), true, 'Alice’s 👍');
  const bobThumb = chip(onBob, '👍 1 réaction');
  await expectPressed(bobThumb, false, 'Bob’s 👍');
  await expectAccessible(bob, 'a conversation with a reaction');

  // Bob clicks the chip: both see 2, pressed for both (each has reacted).
  await bobThumb.click();
  await expectPressed(chip(onBob, '👍 2 réactions, dont la vôtre'), true, 'Bob’s 👍 after his');
  await expectPressed(chip(onAlice, '👍 2 réactions, dont la vôtre'), true, 'Alice’s 👍 after Bob’s');

  // Alice takes hers back: both see 1, pressed for Bob only.
  await chip(onAlice, '👍 2 réactions, dont la vôtre').click();
  await expectPressed(chip(onAlice, '👍 1 réaction'), false, 'Alice’s 👍 after taking it back');
  await expectPressed(chip(onBob, '👍 1 réaction, la vôtre'), true, 'Bob’s 👍 after Alice took hers back');

  // The picker shows which are one's own: 👍 pressed in Bob's.
  await onBob.hover();
  await onBob.getByRole('button', { name: 'Réagir' }).click();
  const bobPicker = bob.getByRole('dialog', { name: 'Choisir une réaction' });
  await expectPressed(bobPicker.getByRole('button', { name: 'pouce levé' }), true, '👍 in Bob’s picker');
  await expectPressed(bobPicker.getByRole('button', { name: 'feu' }), false, '🔥 in Bob’s picker');
  await bob.keyboard.press('Escape');
  await bobPicker.waitFor({ state: 'detached' });

  // A reload shows the counts from history, Bob's own pressed.
  await bob.reload();
  await expectPressed(chip(onBob, '👍 1 réaction, la vôtre'), true, 'Bob’s 👍 after a reload');
  await alice.reload();
  await expectPressed(chip(onAlice, '👍 1 réaction'), false, 'Alice’s 👍 after a reload');

  demo.assertNoPageErrors();
});

test('the reaction picker from the keyboard, and a reaction the server refuses', async (t) => {
  const demo = await startDemo(t);
  const aliceToken = await tokenOf(demo, 'alice');
  const bobToken = await tokenOf(demo, 'bob');
  const conversation = await rest(demo, aliceToken, 'POST', '/v1/conversations', { kind: 'direct', userId: 'bob' }, 201);
  const path = `/v1/conversations/${encodeURIComponent(conversation.id)}/messages`;
  const body = { body: 'Qui prend la garde de nuit ?', clientMessageId: 'garde-1' };
  const message = await rest(demo, bobToken, 'POST', path, body, 201);
  const alice = await demo.open(`#/alice/messages/${encodeURIComponent(conversation.id)}`);
  const onAlice = alice
    .getByRole('region', { name: 'Bob Durand' })
    .getByRole('list', { name: 'Messages' })
    .getByRole('listitem')
    .filter({ hasText: 'Qui prend la garde de nuit ?' });
  await onAlice.waitFor();

  // "React" is reached by the keyboard (though shown only on hover or focus); Enter opens the
  // picker with focus on its first emoji, Tab stays inside, Escape closes it, and focus is
  // back on "React".
  const react = onAlice.getByRole('button', { name: 'Réagir' });
  const picker = alice.getByRole('dialog', { name: 'Choisir une réaction' });
  await react.focus();
  await alice.keyboard.press('Enter');
  await picker.waitFor();
  await expectFocusWithin(picker, 'the reaction picker');
  await expectFocusOn(picker.getByRole('button', { name: 'pouce levé' }), 'the picker’s first emoji');
  assert.equal(await react.getAttribute('aria-expanded'), 'true');
  await expectAccessible(alice, 'the reaction picker');
  assert.equal(await expectFocusCycles(alice, picker, 'the reaction picker'), 8);
  await alice.keyboard.press('Escape');
  await picker.waitFor({ state: 'detached' });
  await expectFocusOn(react, '"React", after Escape');

  // From the keyboard still: the picker again, Tab to ❤️, Enter reacts; focus is back on "React".
  await alice.keyboard.press('Enter');
  await expectFocusWithin(picker, 'the reaction picker, again');
  await alice.keyboard.press('Tab');
  await expectFocusOn(picker.getByRole('button', { name: 'cœur rouge' }), '❤️ in the picker');
  await alice.keyboard.press('Enter');
  await picker.waitFor({ state: 'detached' });
  await expectFocusOn(react, '"React", after picking ❤️');
  await expectPressed(chip(onAlice, '❤️ 1 réaction, la vôtre'), true, 'Alice’s ❤️');

  // Bob puts 19 more different emoji on the message (the server keeps 20 at most): Alice's
  // page shows them live.
  const reactions = `${path}/${encodeURIComponent(message.id)}/reactions`;
  for (let i = 1; i <= 19; i++) await rest(demo, bobToken, 'POST', reactions, { emoji: `:garde${i}:` }, 200);
  await chip(onAlice, ':garde19: 1 réaction').waitFor();
  assert.equal(await onAlice.getByRole('group', { name: 'Réactions' }).getByRole('button').count(), 20);

  // A 21st: Alice picks 🔥; the server refuses it, the chip goes and a note says why.
  await react.focus();
  await alice.keyboard.press('Enter');
  await picker.getByRole('button', { name: 'feu' }).click();
  const note = onAlice.getByRole('alert');
  await note.getByText('Réaction non enregistrée : 20 emoji différents au plus par message.').waitFor();
  await chip(onAlice, '🔥 1 réaction, la vôtre').waitFor({ state: 'detached' });
  assert.equal(await onAlice.getByRole('group', { name: 'Réactions' }).getByRole('button').count(), 20);
  await expectAccessible(alice, 'a refused reaction’s note');
  // The note goes when dismissed.
  await note.getByRole('button', { name: 'Masquer' }).click();
  await note.waitFor({ state: 'detached' });

  // In English, the chips and the picker are named in English.
  await alice.getByRole('combobox', { name: 'Langue' }).selectOption('en');
  const inEnglish = onAlice.getByRole('group', { name: 'Reactions' });
  await inEnglish.getByRole('button', { name: '❤️ 1 reaction, yours', exact: true }).waitFor();
  await onAlice.getByRole('button', { name: 'React', exact: true }).click();
  await alice.getByRole('dialog', { name: 'Pick a reaction' }).getByRole('button', { name: 'thumbs up' }).waitFor();
  await alice.keyboard.press('Escape');

  demo.assertNoPageErrors();
});

test('a guest and Paul react to each other’s messages in the storefront chat', async (t) => {
  const demo = await startDemo(t);
  const guest = await demo.open('#/guest');
  await guest.getByLabel('Votre prénom').fill('Zoé');
  await guest.getByRole('button', { name: 'Démarrer la discussion' }).click();
  await guest.getByLabel('Votre message').fill('Des pivoines pour le 14 juin, c’est possible ?');
  await guest.getByLabel('Votre message').press('Enter');
  const guestMessages = guest.getByRole('list', { name: 'Messages' });
  const question = guestMessages.getByRole('listitem').filter({ hasText: 'Des pivoines pour le 14 juin' });
  await question.getByRole('img', { name: 'Envoyé' }).waitFor();

  const paul = await demo.open('#/paul/inbox');
  await paul.getByRole('list', { name: 'Conversations de la boutique' }).getByRole('link', { name: /Zoé/ }).click();
  const paulMessages = paul.getByRole('list', { name: 'Messages' });
  const onPaul = paulMessages.getByRole('listitem').filter({ hasText: 'Des pivoines pour le 14 juin' });
  await onPaul.waitFor();

  // Paul answers the question with 🎉; Zoé sees it under her message.
  await onPaul.hover();
  await onPaul.getByRole('button', { name: 'Réagir' }).click();
  await paul.getByRole('dialog', { name: 'Choisir une réaction' }).getByRole('button', { name: 'cotillons' }).click();
  await expectPressed(chip(onPaul, '🎉 1 réaction, la vôtre'), true, 'Paul’s 🎉');
  await expectPressed(chip(question, '🎉 1 réaction'), false, 'Paul’s 🎉 seen by Zoé');

  // Zoé adds hers from the chip.
  await chip(question, '🎉 1 réaction').click();
  await expectPressed(chip(onPaul, '🎉 2 réactions, dont la vôtre'), true, '🎉 on Paul’s side');
  await expectPressed(chip(question, '🎉 2 réactions, dont la vôtre'), true, '🎉 on Zoé’s side');
  await expectAccessible(guest, 'the storefront card with a reaction');
  await expectAccessible(paul, 'the partner inbox with a reaction');

  demo.assertNoPageErrors();
});
