// What Bob chooses for his conversations, and the tab's title: his unread messages counted in
// it, "(2) Missive — démo", down as he reads; a group muted for 8 hours from its header (the
// durations a disclosure: focus on the first, Escape back to "Mute"), with the muted icon in the
// list and its messages out of the count; a direct conversation archived — out of the list,
// found under "Archived" — and back in the list with Alice's next message; unarchived from the
// archived view. Each new state passes the accessibility audit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveRest } from '@missive/client';
import { expectAccessible } from './support/accessibility.js';
import { eventually, startDemo } from './support/demo.js';
import { expectFocusOn } from './support/focus.js';

test('bob mutes a group and archives a conversation; the tab title counts what he has not read', async (t) => {
  const demo = await startDemo(t);
  const { token } = await (await fetch(`${demo.base}/local/demo/session?as=alice`)).json();
  const alice = new MissiveRest({ baseUrl: demo.base, getToken: () => token });
  const group = (await alice.createConversation({ kind: 'group', title: 'Garde du week-end', memberIds: ['bob', 'ada'] })).value;
  await alice.postMessage(group.id, 'Le planning du week-end est affiché.');
  const direct = (await alice.createConversation({ kind: 'direct', userId: 'bob' })).value;
  await alice.postMessage(direct.id, 'Tu peux me remplacer mardi ?');

  const bob = await demo.open('#/bob/messages');
  await bob.getByText('Connecté', { exact: true }).waitFor();
  const expectTitle = (title) => eventually(async () => (await bob.title()) === title, { what: `the tab titled "${title}"` });
  const list = bob.getByRole('list', { name: 'Conversations' });
  const groupLink = list.getByRole('link', { name: /Garde du week-end/ });
  const directLink = list.getByRole('link', { name: /Alice Martin/ });

  // Two unread messages, one in each; read, each leaves the count.
  await expectTitle('(2) Missive — démo');
  await groupLink.click();
  const groupThread = bob.getByRole('region', { name: 'Garde du week-end' });
  await groupThread.getByText('Le planning du week-end est affiché.').waitFor();
  await expectTitle('(1) Missive — démo');

  // "Mute": the durations, focus on the first; Escape closes them, focus back on "Mute".
  const mute = groupThread.getByRole('button', { name: 'Mettre en sourdine' });
  await mute.click();
  assert.equal(await mute.getAttribute('aria-expanded'), 'true');
  const durations = groupThread.getByRole('group', { name: 'Mettre en sourdine pendant' });
  await expectFocusOn(durations.getByRole('button', { name: '1 heure' }), '"1 hour"');
  await expectAccessible(bob, 'the mute durations');
  await bob.keyboard.press('Escape');
  await durations.waitFor({ state: 'detached' });
  await expectFocusOn(mute, '"Mute", after Escape');
  assert.equal(await mute.getAttribute('aria-expanded'), 'false');

  // Muted for 8 hours: the header says until when and offers to unmute (focus on it); the list
  // shows the muted icon.
  await mute.press('Enter');
  await durations.getByRole('button', { name: '8 heures' }).click();
  const unmute = groupThread.getByRole('button', { name: 'Réactiver les notifications' });
  await expectFocusOn(unmute, '"Unmute", once muted');
  await groupThread.getByText(/^En sourdine jusqu’à/).waitFor();
  await groupLink.getByRole('img', { name: 'En sourdine' }).waitFor();
  await expectAccessible(bob, 'a muted conversation');

  // The direct conversation, read, then archived: it leaves the list, and is found under
  // "Archived".
  await directLink.click();
  const directThread = bob.getByRole('region', { name: 'Alice Martin' });
  await directThread.getByText('Tu peux me remplacer mardi ?').waitFor();
  await expectTitle('Missive — démo');
  await directThread.getByRole('button', { name: 'Archiver' }).click();
  await directThread.getByRole('button', { name: 'Désarchiver' }).waitFor();
  await directLink.waitFor({ state: 'detached' });
  await groupLink.waitFor();
  const archivedToggle = bob.getByRole('button', { name: 'Archivées' });
  await archivedToggle.click();
  assert.equal(await archivedToggle.getAttribute('aria-pressed'), 'true');
  const archived = bob.getByRole('list', { name: 'Conversations archivées' });
  await archived.getByRole('link', { name: /Alice Martin/ }).waitFor();
  assert.equal(await archived.getByRole('link', { name: /Garde du week-end/ }).count(), 0);
  await expectAccessible(bob, 'the archived conversations');
  await archivedToggle.click();
  await groupLink.waitFor();
  assert.equal(await directLink.count(), 0);

  // Bob leaves the conversations closed. Alice writes in the muted group — its badge shows, but
  // the title does not count it — then in the archived conversation, which comes back to the
  // list by itself, unread, and is counted.
  await bob.getByRole('navigation').getByRole('link', { name: 'Messagerie' }).click();
  await bob.getByText('Choisissez une conversation à gauche, ou commencez-en une nouvelle.').waitFor();
  await alice.postMessage(group.id, 'Rappel : réunion à 18 h.');
  await groupLink.getByRole('img', { name: '1 message non lu' }).waitFor();
  await alice.postMessage(direct.id, 'Alors, pour mardi ?');
  await directLink.getByRole('img', { name: '1 message non lu' }).waitFor();
  await expectTitle('(1) Missive — démo');

  // Read, the count drops; the header knows it is no longer archived.
  await directLink.click();
  await directThread.getByText('Alors, pour mardi ?').waitFor();
  await expectTitle('Missive — démo');
  await directThread.getByRole('button', { name: 'Archiver' }).waitFor();

  // Archived again, then unarchived from the archived view: the view empties, the list has it.
  await directThread.getByRole('button', { name: 'Archiver' }).click();
  await directLink.waitFor({ state: 'detached' });
  await archivedToggle.click();
  await archived.getByRole('link', { name: /Alice Martin/ }).click();
  await directThread.getByRole('button', { name: 'Désarchiver' }).click();
  await bob.getByText('Aucune conversation archivée.', { exact: false }).waitFor();
  await archivedToggle.click();
  await directLink.waitFor();

  // Unmuted, the icon goes.
  await groupLink.click();
  await unmute.click();
  await groupThread.getByRole('button', { name: 'Mettre en sourdine' }).waitFor();
  await groupLink.getByRole('img', { name: 'En sourdine' }).waitFor({ state: 'detached' });

  demo.assertNoPageErrors();
});
