// Ada, the demo tenant's admin, on her own screen (#/ada/admin): a webhook pointed at a small
// receiver the test runs, its test event seen delivered in the log, a failing delivery retried
// by hand; moderation rules saved and tried, and what the people of the tenant then see — a
// send refused with a note and its text given back, a bot's message marked as a bot's; a
// member's data exported and downloaded, and the audit log that records it; a member erased,
// after a confirmation dialog, and their messages then from a deleted user for the others. Each
// of these screens passes the accessibility audit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { expectAccessible } from './support/accessibility.js';
import { eventually, expectText, restAs, startDemo } from './support/demo.js';
import { expectFocusCycles, expectFocusOn, expectFocusWithin } from './support/focus.js';

/**
 * An HTTP receiver on 127.0.0.1 (local mode accepts plain http there): it keeps what it is
 * sent, and answers `status()` (204 unless the test says otherwise). Closed after the test.
 */
async function startReceiver(t, status = () => 204) {
  const received = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, event: JSON.parse(body) });
      res.writeHead(status()).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${server.address().port}/missive`, received };
}

/** A demo person's token, as the demo page gets it. */
async function tokenOf(base, userId) {
  const response = await fetch(`${base}/local/demo/session?as=${userId}`);
  assert.equal(response.status, 200);
  return (await response.json()).token;
}

/** One REST call with `token`; the answer's JSON (nothing for a 204). */
async function call(base, token, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Ada's admin screen, reached from her header. */
async function openAdmin(demo) {
  const ada = await demo.open('#/ada/notifications');
  const nav = ada.getByRole('navigation', { name: 'Navigation principale' });
  await nav.getByRole('link', { name: 'Administration' }).click();
  await ada.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
  return ada;
}

/** Fills and sends the "new webhook" form; returns the secret it showed once. */
async function createWebhook(page, url, { description = '', events = [] } = {}) {
  const form = page.getByRole('form', { name: 'Nouveau webhook' });
  await form.getByLabel('Adresse (URL)').fill(url);
  if (description) await form.getByLabel('Description (facultative)').fill(description);
  for (const event of events) await form.getByRole('checkbox', { name: event }).check();
  await form.getByRole('button', { name: 'Créer le webhook' }).click();
  await form.getByText('Webhook créé.').waitFor();
  const webhooks = page.getByRole('region', { name: 'Webhooks' });
  await webhooks.getByText('Secret de signature, affiché cette seule fois : notez-le.').waitFor();
  const secret = (await webhooks.locator('code.secret').textContent()).trim();
  await webhooks.getByRole('button', { name: 'C’est noté' }).click();
  await webhooks.locator('code.secret').waitFor({ state: 'detached' });
  return secret;
}

test('ada makes a webhook, sends it a test, sees it delivered, then disables, rotates and deletes it', async (t) => {
  const demo = await startDemo(t);
  const receiver = await startReceiver(t);
  const ada = await openAdmin(demo);
  const webhooks = ada.getByRole('region', { name: 'Webhooks' });
  await webhooks.getByText('Aucun webhook pour l’instant.').waitFor();

  const secret = await createWebhook(ada, receiver.url, {
    description: 'Le CRM de la démo',
    events: ['message.created', 'member.added'],
  });
  assert.match(secret, /^whsec_/);
  const item = webhooks.getByRole('listitem').filter({ hasText: receiver.url });
  await item.getByText('Le CRM de la démo').waitFor();
  await item.getByText('message.created').waitFor();
  await item.getByText('member.added').waitFor();
  await expectText(item.locator('.status-chip'), 'Actif');

  // A test event: sent whatever the filter, signed, and delivered in the log (opened by it).
  const actions = ada.getByRole('group', { name: `Actions sur ${receiver.url}` });
  await actions.getByRole('button', { name: 'Envoyer un test' }).click();
  await webhooks.getByText('Événement de test envoyé : suivez-le dans le journal.').waitFor();
  const log = ada.getByRole('table', { name: `Livraisons vers ${receiver.url}` });
  const delivery = log.getByRole('row').filter({ hasText: 'webhook.test' });
  await expectText(delivery.locator('[data-col="status"]'), 'livrée', 'the test delivered');
  await expectText(delivery.locator('[data-col="answer"]'), '204');
  await expectText(delivery.locator('[data-col="attempts"]'), '1');
  assert.equal(receiver.received.length, 1);
  assert.equal(receiver.received[0].event.type, 'webhook.test');
  assert.match(receiver.received[0].headers['webhook-signature'], /^v1,/);
  await expectAccessible(ada, 'the admin screen: a webhook and its delivery log');

  // Disabled by the admin, with the reason in French; enabled again.
  await actions.getByRole('button', { name: 'Désactiver' }).click();
  await expectText(item.locator('.status-chip'), 'Désactivé : désactivé par une administratrice');
  await actions.getByRole('button', { name: 'Activer' }).click();
  await expectText(item.locator('.status-chip'), 'Actif');

  // A new secret, shown once, with how long the previous one still signs.
  await actions.getByRole('button', { name: 'Changer le secret' }).click();
  await webhooks.getByText('L’ancien secret signe encore jusqu’à', { exact: false }).waitFor();
  const rotated = (await webhooks.locator('code.secret').textContent()).trim();
  assert.match(rotated, /^whsec_/);
  assert.notEqual(rotated, secret);
  await webhooks.getByRole('button', { name: 'C’est noté' }).click();

  // Deleting asks a second click.
  await actions.getByRole('button', { name: 'Supprimer' }).click();
  await actions.getByRole('button', { name: 'Confirmer la suppression' }).click();
  await webhooks.getByText('Aucun webhook pour l’instant.').waitFor();
  await log.waitFor({ state: 'detached' });

  demo.assertNoPageErrors();
});

test('a delivery the receiver refused (500) is retried by hand from the log, and delivered', async (t) => {
  // Automatic retries an hour apart: only the button retries within the test.
  const demo = await startDemo(t, { env: { MISSIVE_WEBHOOK_RETRY_BASE_MS: '3600000' } });
  let answer = 500;
  const receiver = await startReceiver(t, () => answer);
  const ada = await openAdmin(demo);
  await createWebhook(ada, receiver.url);
  const item = ada.getByRole('region', { name: 'Webhooks' }).getByRole('listitem').filter({ hasText: receiver.url });
  await item.getByText('tous les événements').waitFor();

  const actions = ada.getByRole('group', { name: `Actions sur ${receiver.url}` });
  await actions.getByRole('button', { name: 'Envoyer un test' }).click();
  const log = ada.getByRole('table', { name: `Livraisons vers ${receiver.url}` });
  const delivery = log.getByRole('row').filter({ hasText: 'webhook.test' });
  await expectText(delivery.locator('.status-chip'), 'nouvel essai prévu', 'the refused delivery to be retried later');
  await expectText(delivery.locator('[data-col="answer"]'), '500');
  await expectText(delivery.locator('[data-col="attempts"]'), '1');
  await expectAccessible(ada, 'the admin screen: a refused delivery to retry');

  // The receiver is mended; the admin does not wait an hour.
  answer = 204;
  await delivery.getByRole('button', { name: /^Relancer la livraison webhook\.test/ }).click();
  await expectText(delivery.locator('.status-chip'), 'livrée', 'the delivery retried by hand');
  await expectText(delivery.locator('[data-col="answer"]'), '204');
  await expectText(delivery.locator('[data-col="attempts"]'), '2');
  assert.equal(receiver.received.length, 2);
  const [first, again] = receiver.received.map((r) => r.headers['webhook-id']);
  assert.equal(again, first, 'the same event');

  demo.assertNoPageErrors();
});

test('moderation rules saved and tried; a blocked word refused to Alice with a note, her text kept', async (t) => {
  const demo = await startDemo(t);
  const ada = await openAdmin(demo);
  const moderation = ada.getByRole('region', { name: 'Modération' });
  const form = moderation.getByRole('form', { name: 'Modération' });
  await form.getByRole('button', { name: 'Ajouter une règle' }).waitFor();

  // Start from no rule, whatever the demo tenant was given.
  const removeButtons = form.getByRole('button', { name: /^Retirer la règle/ });
  while ((await removeButtons.count()) > 0) await removeButtons.first().click();
  await form.getByText('Aucune règle : tous les messages passent.').waitFor();

  // Rule 1: phone numbers masked in storefront conversations.
  await form.getByRole('button', { name: 'Ajouter une règle' }).click();
  const first = form.getByRole('group', { name: 'Règle 1' });
  await first.getByRole('checkbox', { name: 'Boutique' }).check();
  await first.getByRole('checkbox', { name: 'numéros de téléphone' }).check();
  await first.getByRole('radio', { name: 'masquer ce qui correspond' }).check();

  // Rule 2: a word blocked everywhere — with a broken pattern first, which the server names.
  await form.getByRole('button', { name: 'Ajouter une règle' }).click();
  const second = form.getByRole('group', { name: 'Règle 2' });
  await second.getByLabel('Mots (un par ligne)').fill('confidentiel\n');
  await second.getByLabel('Expressions régulières (une par ligne)').fill('(');
  await second.getByRole('radio', { name: 'bloquer le message' }).check();
  await form.getByRole('button', { name: 'Enregistrer la modération' }).click();
  await form.getByRole('alert').filter({ hasText: 'rules[1].patterns[0]' }).waitFor();
  await second.getByLabel('Expressions régulières (une par ligne)').fill('');
  await form.getByRole('button', { name: 'Enregistrer la modération' }).click();
  await form.getByText('Modération enregistrée.').waitFor();

  // Kept: read back after a reload.
  await ada.reload();
  const reloaded = ada.getByRole('region', { name: 'Modération' }).getByRole('group', { name: 'Règle 2' });
  await eventually(async () => (await reloaded.getByLabel('Mots (un par ligne)').inputValue()) === 'confidentiel', {
    what: 'the saved word read back',
  });
  assert.equal(await reloaded.getByRole('radio', { name: 'bloquer le message' }).isChecked(), true);

  // "Try a message": a phone number in a storefront conversation is masked, digit by digit.
  const trial = ada.getByRole('form', { name: 'Essayer un message' });
  await trial.getByLabel('Message à essayer').fill('Appelez-moi au 06 12 34 56 78');
  await trial.getByLabel('Dans une conversation').selectOption('storefront');
  await trial.getByRole('button', { name: 'Essayer' }).click();
  const result = trial.getByRole('status');
  await expectText(result.locator('[data-field="action"]'), 'Accepté, masqué');
  await expectText(result.locator('[data-field="body"]'), 'Appelez-moi au •• •• •• •• ••');
  await expectText(result.locator('[data-field="reasons"]'), 'un numéro de téléphone');
  // Elsewhere the first rule does not apply; the second blocks its word.
  await trial.getByLabel('Dans une conversation').selectOption('direct');
  await trial.getByRole('button', { name: 'Essayer' }).click();
  await expectText(result.locator('[data-field="action"]'), 'Accepté tel quel');
  await trial.getByLabel('Message à essayer').fill('C’est confidentiel');
  await trial.getByRole('button', { name: 'Essayer' }).click();
  await expectText(result.locator('[data-field="action"]'), 'Bloqué');
  await expectText(result.locator('[data-field="reasons"]'), 'un mot interdit');
  await expectAccessible(ada, 'the admin screen: moderation rules, a message tried');

  // Alice writes the word to Bob: refused, said in French, and her text comes back to the box.
  const alice = await demo.open('#/alice/messages');
  await alice.getByRole('button', { name: 'Nouvelle conversation' }).click();
  const dialog = alice.getByRole('dialog', { name: 'Nouvelle conversation' });
  await dialog.getByRole('radio', { name: /Bob Durand/ }).check();
  await dialog.getByRole('button', { name: 'Créer' }).click();
  const thread = alice.getByRole('region', { name: 'Bob Durand' });
  await thread.getByText('Pas encore de message. Dites bonjour !').waitFor();
  const box = alice.getByLabel('Votre message');
  await box.fill('Le code du portail est confidentiel');
  await box.press('Enter');
  const threadMessages = thread.getByRole('list', { name: 'Messages' });
  const refused = threadMessages.getByRole('listitem').filter({ hasText: 'Le code du portail' });
  const note = 'Message non envoyé : il contient un mot qui n’est pas permis ici.';
  await refused.getByRole('alert').filter({ hasText: note }).waitFor();
  assert.equal(await box.inputValue(), '');
  await expectAccessible(alice, 'a message refused by moderation, with its note');
  await refused.getByRole('button', { name: 'Reprendre le texte' }).click();
  await refused.waitFor({ state: 'detached' });
  // The composer is refilled by its own render, which may follow the note's removal.
  const retyped = 'Le code du portail est confidentiel';
  await eventually(async () => (await box.inputValue()) === retyped, { what: 'the text back in the box' });
  await box.fill('Le code du portail est dans le carnet');
  await box.press('Enter');
  const sent = threadMessages.getByRole('listitem').filter({ hasText: 'dans le carnet' });
  await sent.getByRole('img', { name: /Envoyé|Lu/ }).waitFor();

  demo.assertNoPageErrors();
});

test('a bot’s message shows a bot badge beside its name', async (t) => {
  const demo = await startDemo(t);
  const adaToken = await tokenOf(demo.base, 'ada');
  const { apiKey } = await call(demo.base, adaToken, 'POST', '/v1/bots', { id: 'concierge', name: 'Concierge' });
  const aliceToken = await tokenOf(demo.base, 'alice');
  const group = await call(demo.base, aliceToken, 'POST', '/v1/conversations', {
    kind: 'group',
    title: 'Garde du samedi',
    memberIds: ['bob', 'concierge'],
  });
  await call(demo.base, aliceToken, 'POST', `/v1/conversations/${group.id}/messages`, {
    body: 'Qui est de garde samedi ?',
    clientMessageId: 'admin-test-question',
  });
  await call(demo.base, apiKey, 'POST', `/v1/conversations/${group.id}/messages`, {
    body: 'Bob Durand, de 8 h à 20 h.',
    clientMessageId: 'admin-test-answer',
  });

  const alice = await demo.open(`#/alice/messages/${group.id}`);
  const messages = alice.getByRole('region', { name: 'Garde du samedi' }).getByRole('list', { name: 'Messages' });
  const answer = messages.getByRole('listitem').filter({ hasText: 'Bob Durand, de 8 h à 20 h.' });
  await answer.locator('.sender').getByText('Concierge').waitFor();
  await expectText(answer.getByTitle('Message envoyé par un robot'), 'robot');
  // Alice's own message, in the same group, has no badge.
  const question = messages.getByRole('listitem').filter({ hasText: 'Qui est de garde samedi ?' });
  assert.equal(await question.locator('.bot-badge').count(), 0);
  await expectAccessible(alice, 'a group with a bot’s message');

  demo.assertNoPageErrors();
});

test('ada exports a member’s data: pending, then ready with a download link; the audit log records it', async (t) => {
  const demo = await startDemo(t);
  // Alice has written to Bob: her export holds her message.
  const aliceToken = await tokenOf(demo.base, 'alice');
  const chat = await call(demo.base, aliceToken, 'POST', '/v1/conversations', { kind: 'direct', userId: 'bob' });
  const said = 'Mon planning de garde, pour l’export';
  await call(demo.base, aliceToken, 'POST', `/v1/conversations/${chat.id}/messages`, {
    body: said,
    clientMessageId: 'admin-test-export',
  });
  // Enough acts for more than one page of the log (20 entries a page).
  const adaToken = await tokenOf(demo.base, 'ada');
  for (let i = 1; i <= 15; i++) {
    await call(demo.base, adaToken, 'POST', '/v1/bots', { id: `bot-${i}`, name: `Bot ${i}` });
  }

  const ada = await openAdmin(demo);
  const polls = [];
  ada.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/v1/admin/exports/')) polls.push(Date.now());
  });
  const people = ada.getByRole('region', { name: 'Données des personnes' });
  const list = people.getByRole('list', { name: 'Personnes de l’espace' });
  const row = list.getByRole('listitem').filter({ hasText: 'Alice Martin' });
  const exportButton = row.getByRole('button', { name: 'Exporter les données d’Alice Martin' });
  await exportButton.waitFor();
  const state = row.locator('[aria-live="polite"]');
  assert.equal(await state.count(), 1, 'the state is announced politely');
  await exportButton.click();
  // Made in the background: pending first, asked again until ready.
  await expectText(state.locator('.status-chip'), 'en préparation', 'the export pending');
  const link = row.getByRole('link', { name: 'Télécharger les données d’Alice Martin' });
  await link.waitFor();
  await expectText(state.locator('.status-chip'), 'prêt', 'the export ready');
  const pollsWhenReady = polls.length;
  assert.ok(pollsWhenReady >= 1, 'asked again while pending');
  assert.match(await state.textContent(), /^Export des données d’Alice Martin : prêt Télécharger \d+ lignes, /);
  assert.match(await link.getAttribute('download'), /^missive-export-alice-.+\.jsonl$/);
  await expectAccessible(ada, 'the admin screen: an export ready to download');

  // The link downloads Alice's data, her message among it.
  const download = await fetch(await link.getAttribute('href'));
  assert.equal(download.status, 200);
  const lines = (await download.text()).trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual([lines[0].type, lines[0].data.userId], ['export', 'alice']);
  assert.ok(lines.some((l) => l.type === 'message' && l.data.body === said), 'her message in the export');

  // The audit log, newest first: the export, by Ada, of Alice.
  const audit = ada.getByRole('region', { name: 'Journal d’audit' });
  const log = audit.getByRole('table', { name: 'Journal d’audit' });
  const exported = log.getByRole('row').filter({ hasText: 'user.exported' });
  await exported.waitFor();
  await expectText(exported.locator('[data-col="who"]'), 'Ada Lovelace');
  await expectText(exported.locator('[data-col="action"]'), 'Données exportées user.exported');
  await expectText(exported.locator('[data-col="target"]'), 'alice');
  const rows = log.locator('tbody tr');
  assert.equal(await rows.first().getAttribute('data-action'), 'user.exported', 'the newest first');
  assert.equal(await rows.count(), 20);
  // Older entries, from the cursor: down to the tenant's creation, by the platform.
  const { entries: all } = await call(demo.base, adaToken, 'GET', '/v1/admin/audit?limit=100');
  assert.ok(all.length > 20, `${all.length} entries`);
  await audit.getByRole('button', { name: 'Entrées plus anciennes' }).click();
  await audit.getByText(`${all.length} entrées affichées.`).waitFor();
  await expectText(rows.last().locator('[data-col="who"]'), 'Plateforme');
  await expectText(rows.last().locator('[data-col="target"]'), 'l’espace');
  assert.equal(await rows.last().getAttribute('data-action'), 'tenant.created');
  await audit.getByRole('button', { name: 'Entrées plus anciennes' }).waitFor({ state: 'detached' });
  await expectAccessible(ada, 'the admin screen: the audit log, two pages');

  // In English too.
  await ada.getByRole('combobox', { name: 'Langue' }).selectOption('en');
  const englishPeople = ada.getByRole('region', { name: 'People’s data' });
  const inEnglish = englishPeople.getByRole('listitem').filter({ hasText: 'Alice Martin' });
  await inEnglish.getByRole('link', { name: 'Download Alice Martin’s data' }).waitFor();
  await inEnglish.getByRole('button', { name: 'Export data of Alice Martin' }).waitFor();
  const englishLog = ada.getByRole('table', { name: 'Audit log' });
  const englishRows = englishLog.locator('tbody tr');
  await expectText(englishRows.first().locator('[data-col="action"]'), 'Data exported user.exported');
  await expectText(englishRows.last().locator('[data-col="who"]'), 'Platform');
  assert.equal(polls.length, pollsWhenReady, 'no more asking once ready');

  // A pending export is no longer asked about once the screen is left.
  await ada.getByRole('button', { name: 'Export data of Bob Durand' }).click();
  await ada.getByRole('region', { name: 'People’s data' }).getByText('being prepared').waitFor();
  await ada.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Notifications' }).click();
  await ada.getByRole('region', { name: 'People’s data' }).waitFor({ state: 'detached' });
  const left = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  assert.deepEqual(polls.filter((at) => at > left), [], 'no request after the screen went');

  demo.assertNoPageErrors();
});

test('ada erases Bob after confirming in a dialog; his message, for Alice, is then a deleted user’s', async (t) => {
  const demo = await startDemo(t);
  // Bob has written to Alice, in a group and directly.
  const bobToken = await tokenOf(demo.base, 'bob');
  const group = await call(demo.base, bobToken, 'POST', '/v1/conversations', {
    kind: 'group',
    title: 'Relève de nuit',
    memberIds: ['alice'],
  });
  await call(demo.base, bobToken, 'POST', `/v1/conversations/${group.id}/messages`, {
    body: 'Je vous laisse les clés du camion',
    clientMessageId: 'admin-test-erase-group',
  });
  const direct = await call(demo.base, bobToken, 'POST', '/v1/conversations', { kind: 'direct', userId: 'alice' });
  await call(demo.base, bobToken, 'POST', `/v1/conversations/${direct.id}/messages`, {
    body: 'À demain, Alice',
    clientMessageId: 'admin-test-erase-direct',
  });

  // Alice has the group open: she sees the erasure live.
  const alice = await demo.open(`#/alice/messages/${group.id}`);
  const messages = alice.getByRole('region', { name: 'Relève de nuit' }).getByRole('list', { name: 'Messages' });
  const bobs = messages.getByRole('listitem').filter({ hasText: 'Je vous laisse les clés du camion' });
  await bobs.locator('.sender').getByText('Bob Durand').waitFor();

  const ada = await openAdmin(demo);
  const people = ada.getByRole('region', { name: 'Données des personnes' });
  const list = people.getByRole('list', { name: 'Personnes de l’espace' });
  const row = list.getByRole('listitem').filter({ hasText: 'Bob Durand' });
  const erase = row.getByRole('button', { name: 'Effacer Bob Durand' });
  await erase.waitFor();
  // Not herself.
  const own = list.getByRole('listitem').filter({ hasText: 'Ada Lovelace' });
  await own.getByRole('button', { name: 'Exporter les données d’Ada Lovelace' }).waitFor();
  assert.equal(await own.getByRole('button', { name: /^Effacer/ }).count(), 0, 'no erasing herself');

  // It asks first: focus in the dialog, on "Cancel", kept there; Escape cancels, and focus is back.
  await erase.click();
  const dialog = ada.getByRole('alertdialog', { name: 'Effacer Bob Durand ?' });
  await dialog.waitFor();
  await expectFocusWithin(dialog, 'the erasure’s dialog');
  await expectFocusOn(dialog.getByRole('button', { name: 'Annuler' }), '"Annuler", the choice that does nothing');
  assert.equal(await expectFocusCycles(ada, dialog, 'the erasure’s dialog'), 2);
  assert.match(await dialog.getAttribute('aria-describedby'), /./, 'what it does is read with its name');
  await dialog.getByText('C’est définitif.', { exact: false }).waitFor();
  await expectAccessible(ada, 'the admin screen: the erasure’s dialog open');
  await ada.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await expectFocusOn(erase, '"Effacer Bob Durand" again');
  await row.waitFor();

  // Confirmed: Bob leaves the list, said politely; focus on the section's title, his row gone.
  await ada.keyboard.press('Enter');
  await expectFocusWithin(dialog, 'the erasure’s dialog, again');
  await dialog.getByRole('button', { name: 'Effacer définitivement' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.waitFor({ state: 'detached' });
  const note = people.getByRole('status'); // a polite live region
  await expectText(note, 'Bob Durand a été effacé·e.');
  await expectFocusOn(people.getByRole('heading', { name: 'Données des personnes' }), 'the section’s title');
  // The audit log, read again, records it.
  const log = ada.getByRole('table', { name: 'Journal d’audit' });
  const erased = log.getByRole('row').filter({ hasText: 'user.erased' });
  await expectText(erased.locator('[data-col="action"]'), 'Personne effacée user.erased');
  await expectText(erased.locator('[data-col="who"]'), 'Ada Lovelace');
  await expectText(erased.locator('[data-col="target"]'), 'bob');
  await expectAccessible(ada, 'the admin screen: a person erased');
  // Not there any more after a reload either.
  await ada.reload();
  await ada.getByRole('button', { name: 'Effacer Alice Martin' }).waitFor();
  assert.equal(await ada.getByRole('button', { name: 'Effacer Bob Durand' }).count(), 0);

  // For Alice, live: his message is a deleted one, from a deleted user.
  await bobs.waitFor({ state: 'detached' });
  const tombstone = messages.getByRole('listitem').filter({ hasText: 'Utilisateur supprimé' });
  await tombstone.getByText('Message supprimé').waitFor();
  await expectText(tombstone.locator('.sender'), 'Utilisateur supprimé');
  await expectAccessible(alice, 'a group with an erased person’s message');

  // Their direct conversation is named so too, once the server has gone through it.
  const aliceRest = await restAs(demo, 'alice');
  await eventually(
    async () => {
      const { conversations } = await aliceRest.listConversations();
      return conversations.find((c) => c.id === direct.id)?.participants.some((p) => p.userId === '~erased');
    },
    { what: 'the direct conversation with no one' },
  );
  await alice.goto(`${demo.base}/demo/#/alice/messages/${direct.id}`);
  await alice.reload();
  const conversations = alice.getByRole('list', { name: 'Conversations' });
  await conversations.getByRole('link', { name: /^Utilisateur supprimé/ }).waitFor();
  const chat = alice.getByRole('region', { name: 'Utilisateur supprimé' });
  await chat.getByRole('heading', { name: 'Utilisateur supprimé' }).waitFor();
  await chat.getByRole('list', { name: 'Messages' }).getByText('Message supprimé').waitFor();

  // In English.
  await alice.getByRole('combobox', { name: 'Langue' }).selectOption('en');
  await alice.getByRole('region', { name: 'Deleted user' }).getByRole('heading', { name: 'Deleted user' }).waitFor();
  await alice.goto(`${demo.base}/demo/#/alice/messages/${group.id}`);
  const english = alice.getByRole('region', { name: 'Relève de nuit' }).getByRole('list', { name: 'Messages' });
  const inEnglish = english.getByRole('listitem').filter({ hasText: 'Message deleted' });
  await expectText(inEnglish.locator('.sender'), 'Deleted user');

  demo.assertNoPageErrors();
});
