// Every REST helper against the real local runtime: what it answers, and errors as
// MissiveError with the server's code and status.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveAdmin } from '../../dist/admin.js';
import { MissiveError, MissiveRest } from '../../dist/index.js';
import { adminRest, PLATFORM_KEY, rest, startServer, token, waitFor } from '../support/server.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Asserts that `promise` rejects with a MissiveError of this code and status. */
async function rejectsWith(promise, code, status) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof MissiveError, `a MissiveError, not ${e}`);
    assert.deepEqual({ code: e.code, status: e.status }, { code, status });
    return true;
  });
}

describe('REST helpers on the local runtime', () => {
  let server;
  let dataDir;
  let platform;
  let admin;
  let alice;
  let bob;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'missive-client-rest-'));
    server = await startServer({ dataDir });
    platform = new MissiveAdmin({ baseUrl: server.base, getToken: () => PLATFORM_KEY });
    await platform.createTenant({ id: 'acme', name: 'Acme', locale: 'en' });
    admin = adminRest(server, 'ada', 'admin');
    alice = rest(server, 'alice');
    bob = rest(server, 'bob');
    await Promise.all([admin.me(), alice.me(), bob.me()]);
  });

  after(async () => {
    await server?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('health needs no token', async () => {
    const anonymous = new MissiveRest({ baseUrl: server.base });
    assert.equal((await anonymous.health()).status, 'ok');
  });

  test('tenants and users: the platform key creates, a taken id is a conflict, users are upserted', async () => {
    const tenant = await platform.createTenant({ id: 'globex', name: 'Globex', branding: { displayName: 'Globex' } });
    assert.deepEqual([tenant.id, tenant.status, tenant.branding.displayName], ['globex', 'active', 'Globex']);
    await rejectsWith(platform.createTenant({ id: 'globex', name: 'Again' }), 'conflict', 409);
    assert.equal((await platform.updateTenant('globex', { name: 'Globex Corp' })).name, 'Globex Corp');
    assert.equal((await platform.updateTenant('globex', { retentionDays: 30 })).retentionDays, 30);
    await rejectsWith(platform.updateTenant('globex', { retentionDays: 4000 }), 'invalid_request', 400);
    const created = await platform.putUser('carol', { tenantId: 'acme', name: 'Carol', role: 'member' });
    assert.deepEqual([created.created, created.value.id, created.value.name], [true, 'carol', 'Carol']);
    const updated = await admin.putUser('carol', { name: 'Carol B.' });
    assert.deepEqual([updated.created, updated.value.name], [false, 'Carol B.']);
    await rejectsWith(adminRest(server, 'alice').putUser('dave', { name: 'Dave' }), 'forbidden', 403);
  });

  test('identity and directory', async () => {
    const me = await alice.me();
    assert.deepEqual([me.user.id, me.role, me.tenant.id, me.conversationScope], ['alice', 'member', 'acme', null]);
    const users = await alice.listUsers({ q: 'bob' });
    assert.ok(users.users.some((u) => u.id === 'bob' && typeof u.online === 'boolean'));
    const badToken = new MissiveRest({ baseUrl: server.base, getToken: () => 'not-a-token' });
    await rejectsWith(badToken.me(), 'unauthorized', 401);
    const otherTenant = new MissiveRest({ baseUrl: server.base, getToken: () => token({ sub: 'x', tid: 'nowhere' }) });
    await rejectsWith(otherTenant.me(), 'unauthorized', 401);
  });

  test('conversations: direct (one per pair), groups and their members', async () => {
    const first = await alice.createConversation({ kind: 'direct', userId: 'bob' });
    const again = await bob.createConversation({ kind: 'direct', userId: 'alice' });
    assert.deepEqual([first.created, again.created, again.value.id], [true, false, first.value.id]);
    await rejectsWith(alice.createConversation({ kind: 'direct', userId: 'nobody' }), 'not_found', 404);

    const group = (await alice.createConversation({ kind: 'group', title: 'Crew', memberIds: ['bob'] })).value;
    assert.deepEqual(group.members.map((m) => [m.userId, m.role]).sort(), [
      ['alice', 'owner'],
      ['bob', 'member'],
    ]);
    assert.equal((await alice.renameConversation(group.id, 'Crew 2')).title, 'Crew 2');
    await rejectsWith(bob.renameConversation(group.id, 'Mine'), 'forbidden', 403);
    const added = await alice.addMembers(group.id, ['carol']);
    assert.ok(added.members.some((m) => m.userId === 'carol'));
    const left = await bob.removeMember(group.id, 'bob');
    assert.ok(!left.members.some((m) => m.userId === 'bob'));
    await rejectsWith(bob.getConversation(group.id), 'not_found', 404);
    assert.equal((await alice.getConversation(group.id)).id, group.id);
    const groups = await alice.listConversations({ kind: 'group' });
    assert.deepEqual(
      groups.conversations.map((c) => c.id),
      [group.id],
    );
    await rejectsWith(alice.listConversations({ kind: 'banana' }), 'invalid_request', 400);
  });

  test('messages: idempotent post, history both ways, search, edit, delete, read', async () => {
    const conversation = (await alice.createConversation({ kind: 'direct', userId: 'bob' })).value;
    const first = await alice.postMessage(conversation.id, 'Bonjour la fête', { clientMessageId: 'rest-1' });
    const repeat = await alice.postMessage(conversation.id, 'Bonjour la fête', { clientMessageId: 'rest-1' });
    assert.deepEqual([first.created, repeat.created, repeat.value.id], [true, false, first.value.id]);
    const second = (await alice.postMessage(conversation.id, 'Second')).value;

    const page = await bob.listMessages(conversation.id, { after: '0', limit: 1 });
    assert.deepEqual(
      page.messages.map((m) => m.body),
      ['Bonjour la fête'],
    );
    const next = await bob.listMessages(conversation.id, { after: page.newerCursor });
    assert.deepEqual(
      next.messages.map((m) => m.id),
      [second.id],
    );
    const found = await bob.searchMessages(conversation.id, 'fete');
    assert.deepEqual(
      found.messages.map((m) => m.id),
      [first.value.id],
    );

    assert.equal((await alice.editMessage(conversation.id, second.id, 'Second, edited')).body, 'Second, edited');
    await rejectsWith(bob.editMessage(conversation.id, second.id, 'Not mine'), 'forbidden', 403);
    const tombstone = await alice.deleteMessage(conversation.id, second.id);
    assert.deepEqual([tombstone.body, typeof tombstone.deletedAt], [null, 'string']);
    await rejectsWith(alice.editMessage(conversation.id, second.id, 'Too late'), 'conflict', 409);

    const read = await bob.markRead(conversation.id, second.id);
    assert.deepEqual([read.lastReadMessageId, read.unreadCount], [second.id, 0]);
  });

  test('sync: the missed events, and sync_expired (410) for a cursor older than the events kept', async () => {
    const page = await bob.sync('0');
    assert.ok(page.events.some((e) => e.type === 'message.new'));
    assert.equal(typeof page.cursor, 'string');
    assert.equal(page.more, false);
    await rejectsWith(bob.sync('01ARZ3NDEKTSV4RRFFQ69G5FAV'), 'sync_expired', 410);
    await rejectsWith(bob.sync('garbage'), 'invalid_request', 400);
  });

  test('storefronts and guest sessions', async () => {
    const paul = rest(server, 'paul', 'partner');
    await paul.me();
    const storefront = await paul.createStorefront({ id: 'flowers', title: 'Flowers' });
    assert.deepEqual(storefront.partnerIds, ['paul']);
    assert.equal((await paul.getStorefront('flowers')).title, 'Flowers');
    await rejectsWith(alice.createStorefront({ title: 'Nope' }), 'forbidden', 403);

    const anonymous = new MissiveRest({ baseUrl: server.base });
    const session = await anonymous.createGuestSession('flowers', { name: 'Zoé' });
    assert.equal(session.conversation.kind, 'storefront');
    const guest = new MissiveRest({ baseUrl: server.base, getToken: () => session.token });
    const me = await guest.me();
    assert.deepEqual([me.role, me.conversationScope], ['guest', session.conversation.id]);
    await guest.postMessage(session.conversation.id, 'Do you deliver?');
    const inbox = await paul.listConversations({ kind: 'storefront' });
    assert.ok(inbox.conversations.some((c) => c.id === session.conversation.id));
  });

  test('notifications: created by an admin, listed, counted, marked read', async () => {
    // Bob may have message notifications already (messages reached him offline): start at 0.
    await bob.markAllNotificationsRead();
    const created = await admin.createNotifications({
      users: ['bob'],
      type: 'event',
      title: 'Drill at 9',
      body: 'Yard B',
    });
    assert.equal(created.length, 1);
    assert.equal(await bob.unreadNotificationCount(), 1);
    const listed = await bob.listNotifications({ unread: true });
    assert.deepEqual(
      listed.notifications.map((n) => n.title),
      ['Drill at 9'],
    );
    assert.equal(typeof (await bob.markNotificationRead(created[0].id)).readAt, 'string');
    await admin.createNotifications({ users: ['bob'], type: 'system', title: 'Second' });
    assert.equal(await bob.markAllNotificationsRead(), 1);
    assert.equal(await bob.unreadNotificationCount(), 0);
    await rejectsWith(alice.markNotificationRead(created[0].id), 'not_found', 404);
    await rejectsWith(alice.createNotifications({ users: ['bob'], type: 'event', title: 'x' }), 'forbidden', 403);
  });

  test('notification settings: defaults, replaced, a bad field named', async () => {
    const defaults = await alice.getNotificationSettings();
    assert.equal(defaults.emailMode, 'immediate');
    const saved = await alice.putNotificationSettings({
      emailMode: 'digest',
      types: { message: { inApp: true, email: false } },
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' },
    });
    assert.deepEqual(
      [saved.emailMode, saved.types.message.email, saved.quietHours.timeZone],
      ['digest', false, 'Europe/Paris'],
    );
    await rejectsWith(alice.putNotificationSettings({ emailMode: 'sometimes' }), 'invalid_request', 400);
  });

  test('reminders: created, listed, cancelled', async () => {
    const at = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    const reminder = await alice.createReminder({ at, title: 'Check the hoses', users: ['alice'] });
    assert.equal(reminder.status, 'pending');
    assert.ok((await alice.listReminders()).reminders.some((r) => r.id === reminder.id));
    await alice.deleteReminder(reminder.id);
    assert.ok(!(await alice.listReminders()).reminders.some((r) => r.id === reminder.id));
    await rejectsWith(alice.createReminder({ at: '2001-01-01T00:00:00Z', title: 'Past' }), 'invalid_request', 400);
  });

  test('files: uploaded straight to storage, sent in a message, read back through a short-lived link', async () => {
    const conversation = (await alice.createConversation({ kind: 'direct', userId: 'bob' })).value;
    const bytes = new TextEncoder().encode('%PDF-1.7\nDevis mai 2026\n');
    const progress = [];
    const file = new File([bytes], 'Devis mai.pdf', { type: 'application/pdf' });
    const uploadId = await alice.upload(conversation.id, file, { onProgress: (sent, total) => progress.push([sent, total]) });
    assert.deepEqual(progress.at(-1), [bytes.length, bytes.length], 'told of the whole file sent');
    const sent = await alice.postMessage(conversation.id, '', { attachments: [uploadId] });
    assert.deepEqual(sent.value.attachments, [
      { id: uploadId, name: 'Devis mai.pdf', contentType: 'application/pdf', size: bytes.length },
    ]);
    assert.equal(sent.value.body, null, 'files need no text');
    const link = await bob.attachmentLink(uploadId);
    assert.ok(Date.parse(link.expiresAt) > Date.now());
    const stored = await fetch(link.url);
    assert.deepEqual(new Uint8Array(await stored.arrayBuffer()), bytes);
    await rejectsWith(bob.attachmentLink(uploadId, { thumbnail: true }), 'not_found', 404);
    await rejectsWith(alice.postMessage(conversation.id, '', { attachments: [uploadId] }), 'invalid_request', 400);
    const html = new File(['<html>'], 'x.html', { type: 'text/html' });
    await rejectsWith(alice.upload(conversation.id, html), 'invalid_request', 400);
    const mistyped = new File(['<html><script>alert(1)</script>'], 'x.png', { type: 'image/png' });
    const disguised = await alice.upload(conversation.id, mistyped);
    await rejectsWith(alice.postMessage(conversation.id, 'voilà', { attachments: [disguised] }), 'invalid_request', 400);
  });

  test('push devices: registered (once), listed without keys, removed', async () => {
    const subscription = {
      endpoint: 'https://updates.push.services.mozilla.com/wpush/v2/gAAAA',
      keys: {
        p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
        auth: 'BTBZMqHH6r4Tts7J_aSIgg',
      },
    };
    const first = await bob.registerDevice({ kind: 'webpush', subscription });
    assert.deepEqual([first.created, first.value.kind, first.value.label], [true, 'webpush', 'https://updates.push.services.mozilla.com']);
    assert.equal((await bob.registerDevice({ kind: 'webpush', subscription })).created, false);
    assert.deepEqual((await bob.listDevices()).map((d) => d.id), [first.value.id]);
    await rejectsWith(bob.registerDevice({ kind: 'apns', token: 'nope' }), 'invalid_request', 400);
    await bob.removeDevice(first.value.id);
    assert.deepEqual(await bob.listDevices(), []);
    await rejectsWith(bob.removeDevice(first.value.id), 'not_found', 404);
  });

  test('enablePush subscribes with the stack\'s VAPID key and registers the browser; disablePush undoes both', async () => {
    const key = await new MissiveRest({ baseUrl: server.base }).vapidPublicKey(); // public
    assert.match(key, /^B[A-Za-z0-9_-]{86}$/, 'an uncompressed P-256 point, base64url');
    // A service worker registration's pushManager, as the browser's push service answers it.
    let current = null;
    const asked = [];
    const registration = {
      pushManager: {
        getSubscription: async () => current,
        subscribe: async (options) => {
          asked.push(options);
          const json = { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', keys: { p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4', auth: 'BTBZMqHH6r4Tts7J_aSIgg' } };
          current = { toJSON: () => json, unsubscribe: async () => { current = null; return true; } };
          return current;
        },
      },
    };
    const device = await bob.enablePush(registration);
    assert.equal(device.kind, 'webpush');
    assert.equal(asked.length, 1);
    assert.equal(asked[0].userVisibleOnly, true);
    assert.equal(Buffer.from(asked[0].applicationServerKey).toString('base64url'), key, 'the key as bytes');
    assert.equal((await bob.enablePush(registration)).id, device.id, 'again: the same subscription, the same device');
    assert.equal(asked.length, 1, 'not subscribed twice');
    await bob.disablePush(registration);
    assert.equal(current, null, 'unsubscribed');
    assert.deepEqual(await bob.listDevices(), []);
    await bob.disablePush(registration); // nothing to undo
  });

  test('webhooks: an endpoint, its secret once, a signed test event in the log', async () => {
    // A receiver that verifies as docs/integrations.md's Node sample does.
    let secret = null;
    const received = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const id = req.headers['webhook-id'];
        const timestamp = req.headers['webhook-timestamp'];
        const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
        const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
        const signed = String(req.headers['webhook-signature'] ?? '')
          .split(' ')
          .map((s) => Buffer.from(s.replace(/^v1,/, ''), 'base64'))
          .some((s) => s.length === expected.length && timingSafeEqual(s, expected));
        received.push({ signed, event: JSON.parse(body) });
        res.writeHead(signed ? 204 : 401).end();
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${receiver.address().port}/hook`;
      await rejectsWith(adminRest(server, 'alice').createWebhook({ url }), 'forbidden', 403);
      await rejectsWith(admin.createWebhook({ url: 'https://10.0.0.1/hook' }), 'invalid_request', 400);
      const created = await admin.createWebhook({ url, events: ['message.created'], description: 'CRM' });
      secret = created.secret;
      assert.match(secret, /^whsec_/);
      assert.deepEqual((await admin.listWebhooks()).map((w) => w.id), [created.webhook.id]);
      const id = created.webhook.id;
      assert.equal((await admin.testWebhook(id)).type, 'webhook.test');
      let delivered;
      await waitFor(async () => {
        [delivered] = (await admin.listWebhookDeliveries(id)).deliveries;
        return delivered?.status === 'delivered';
      }, { what: 'the test delivered' });
      assert.equal(delivered.lastAttempt.statusCode, 204);
      assert.deepEqual(received.map((r) => [r.signed, r.event.type]), [[true, 'webhook.test']]);
      assert.equal((await admin.updateWebhook(id, { enabled: false })).enabled, false);
      const rotated = await admin.rotateWebhookSecret(id);
      assert.notEqual(rotated.secret, secret);
      assert.equal((await admin.retryWebhookDelivery(id, delivered.id)).status, 'pending');
      await admin.deleteWebhook(id);
      await rejectsWith(admin.getWebhook(id), 'not_found', 404);
    } finally {
      receiver.close();
    }
  });

  test('bots: made with a key shown once, which calls the API as the bot until revoked', async () => {
    const created = await admin.createBot({ id: 'helper', name: 'Helper' });
    assert.match(created.apiKey, /^mbk\.acme\./);
    assert.deepEqual((await admin.listBots()).map((b) => [b.id, b.hasKey]), [['helper', true]]);
    const asBot = new MissiveRest({ baseUrl: server.base, getToken: () => created.apiKey });
    assert.equal((await asBot.me()).role, 'bot');
    const newKey = await admin.rotateBotKey('helper');
    await rejectsWith(asBot.me(), 'unauthorized', 401);
    await admin.revokeBotKey('helper');
    await rejectsWith(new MissiveRest({ baseUrl: server.base, getToken: () => newKey }).me(), 'unauthorized', 401);
  });

  test('a member mutes and archives a conversation; the unread totals count what waits', async () => {
    const chat = (await alice.createConversation({ kind: 'direct', userId: 'bob' })).value;
    await alice.postMessage(chat.id, 'Coucou');
    const before = await bob.unreadTotals();
    assert.ok(before.conversations >= 1 && before.messages >= 1, JSON.stringify(before));
    const mutedUntil = new Date(Date.now() + 3_600_000).toISOString();
    const set = await bob.setMySettings(chat.id, { mutedUntil, archived: true });
    assert.deepEqual([Date.parse(set.mutedUntil), set.archived], [Date.parse(mutedUntil), true]);
    assert.equal((await bob.getMySettings(chat.id)).archived, true);
    const after = await bob.unreadTotals();
    assert.equal(after.conversations, before.conversations - 1, 'a muted conversation leaves the totals');
    const { conversations } = await bob.listConversations({ archived: true });
    assert.ok(conversations.some((c) => c.id === chat.id && c.archived));
    await rejectsWith(bob.setMySettings(chat.id, { mutedUntil: '2001-01-01T00:00:00Z' }), 'invalid_request', 400);
    await bob.setMySettings(chat.id, { mutedUntil: null, archived: false });
  });

  test('inbound hooks: a group owner makes one, another system posts through it, until stopped', async () => {
    const owner = adminRest(server, 'alice');
    const group = (await owner.createConversation({ kind: 'group', title: 'Dispatch', memberIds: ['bob'] })).value;
    const { hook, secret } = await owner.createHook(group.id, 'Dispatch 18');
    assert.match(secret, /^whk_/);
    const post = (body) =>
      fetch(`${server.base}/v1/hooks/${hook.id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await post({ body: 'Départ : feu de cheminée', clientMessageId: 'cad-1' })).status, 201);
    const { messages } = await owner.listMessages(group.id);
    const posted = messages.find((m) => m.body === 'Départ : feu de cheminée');
    assert.deepEqual([posted.senderId, posted.senderBot], [hook.botId, true]);
    await rejectsWith(adminRest(server, 'bob').deleteHook(group.id, hook.id), 'forbidden', 403);
    await owner.deleteHook(group.id, hook.id);
    assert.equal((await post({ body: 'encore' })).status, 401);
  });

  test('moderation: rules saved whole and tried without storing; a refused send says why', async () => {
    assert.deepEqual(await admin.getModeration(), { rules: [], preSendHook: null, updatedAt: null });
    await rejectsWith(adminRest(server, 'alice').getModeration(), 'forbidden', 403);
    const mask = { kinds: ['direct'], words: [], patterns: [], contacts: ['phone'], action: 'mask' };
    const block = { kinds: [], words: ['classified'], patterns: [], contacts: [], action: 'block' };
    await assert.rejects(admin.setModeration({ rules: [mask, { ...block, patterns: ['('] }], preSendHook: null }), (e) => {
      assert.deepEqual([e.code, e.status], ['invalid_request', 400]);
      assert.match(e.message, /rules\[1\]\.patterns\[0\]/, 'the field named');
      return true;
    });
    const saved = await admin.setModeration({ rules: [mask, block], preSendHook: null });
    assert.equal(saved.moderation.rules.length, 2);
    assert.equal(saved.preSendHookSecret, null);
    assert.equal(typeof (await admin.getModeration()).updatedAt, 'string');

    assert.deepEqual(await admin.checkModeration({ body: 'call 06 12 34 56 78', kind: 'direct' }), {
      action: 'mask',
      body: 'call •• •• •• •• ••',
      reasons: ['phone'],
    });
    assert.equal((await admin.checkModeration({ body: 'call 06 12 34 56 78', kind: 'group' })).action, 'accept');

    const { value: conversation } = await alice.createConversation({ kind: 'direct', userId: 'bob' });
    await assert.rejects(alice.postMessage(conversation.id, 'this is classified'), (e) => {
      assert.deepEqual([e.code, e.status, e.reason], ['moderated', 422, 'word']);
      return true;
    });
    const { value: masked } = await alice.postMessage(conversation.id, 'call 06 12 34 56 78');
    assert.equal(masked.body, 'call •• •• •• •• ••');

    // A pre-send hook's secret is shown when one is set where there was none, and only then.
    const hook = { url: 'http://127.0.0.1:9/check', failure: 'open' };
    assert.equal(typeof (await admin.setModeration({ rules: [], preSendHook: hook })).preSendHookSecret, 'string');
    assert.equal((await admin.setModeration({ rules: [], preSendHook: hook })).preSendHookSecret, null);
    await admin.setModeration({ rules: [], preSendHook: null });
  });

  test('push credentials: set by the platform, shown without keys, each field checked', async () => {
    assert.deepEqual(await platform.getPushCredentials('acme'), { fcm: null, apns: null });
    const apns = { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: 'not a key', bundleId: 'com.acme.app' };
    await rejectsWith(platform.setPushCredentials('acme', { apns }), 'invalid_request', 400);
    await rejectsWith(admin.getPushCredentials('acme'), 'unauthorized', 401);
    await rejectsWith(platform.getPushCredentials('nope'), 'not_found', 404);
  });

  test('queues, redrive, unsubscribe and the local outbox', async () => {
    const queues = await platform.getQueues();
    assert.deepEqual(queues.map((q) => q.name).sort(), ['emails', 'fanout', 'notifications']);
    assert.equal(await platform.redriveQueue('emails'), 0);
    await rejectsWith(platform.redriveQueue('nope'), 'not_found', 404);
    // Queues hold every tenant's jobs: the platform operator's alone.
    await rejectsWith(admin.getQueues(), 'unauthorized', 401);
    await rejectsWith(admin.redriveQueue('emails'), 'unauthorized', 401);
    await rejectsWith(new MissiveRest({ baseUrl: server.base }).unsubscribe('forged'), 'invalid_request', 400);
    const local = new MissiveAdmin({ baseUrl: server.base }); // the local routes take no token
    assert.ok(Array.isArray(await local.localOutbox()));
    assert.deepEqual(await local.setLocalOutboxFailures({ next: 0 }), { next: 0, always: false });
  });

  test('data export: an admin asks for a member’s data, polls it ready, downloads it as JSON Lines', async () => {
    const chat = (await bob.createConversation({ kind: 'direct', userId: 'alice' })).value;
    const { value: sent } = await bob.postMessage(chat.id, 'Le compte rendu de la garde, pour l’export');
    await rejectsWith(adminRest(server, 'alice').requestExport('bob'), 'forbidden', 403);
    await rejectsWith(admin.requestExport('nobody'), 'not_found', 404);

    const asked = await admin.requestExport('bob');
    assert.deepEqual([asked.tenantId, asked.userId, asked.status, asked.url], ['acme', 'bob', 'pending', undefined]);
    await rejectsWith(adminRest(server, 'alice').getExport(asked.id), 'forbidden', 403);
    let ready;
    await waitFor(async () => (ready = await admin.getExport(asked.id)).status === 'ready', {
      what: 'the export ready',
    });
    assert.equal(typeof ready.url, 'string');
    assert.ok(ready.lines > 0 && ready.bytes > 0, JSON.stringify(ready));
    // The platform key reads it too, naming the tenant.
    assert.equal((await platform.getExport(asked.id, { tenantId: 'acme' })).status, 'ready');
    await rejectsWith(admin.getExport('01ARZ3NDEKTSV4RRFFQ69G5FAV'), 'not_found', 404);

    // The link needs no token: it is signed, until `expiresAt`.
    const download = await fetch(ready.url);
    assert.equal(download.status, 200);
    const text = await download.text();
    assert.equal(Buffer.byteLength(text), ready.bytes);
    const lines = text.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, ready.lines);
    assert.deepEqual([lines[0].type, lines[0].data.exportId, lines[0].data.userId], ['export', asked.id, 'bob']);
    assert.ok(lines.some((l) => l.type === 'user' && l.data.id === 'bob'));
    const message = lines.find((l) => l.type === 'message' && l.data.id === sent.id);
    assert.equal(message?.data.body, 'Le compte rendu de la garde, pour l’export');
  });

  test('erasure: a member erased; their message becomes a tombstone of no one, their token refused', async () => {
    // People of their own: the other tests' stay.
    const erin = rest(server, 'erin');
    const finn = rest(server, 'finn');
    await Promise.all([erin.me(), finn.me()]);
    const group = (await erin.createConversation({ kind: 'group', title: 'Relève', memberIds: ['finn'] })).value;
    const { value: sent } = await erin.postMessage(group.id, 'Je passe la main pour la nuit');

    await rejectsWith(adminRest(server, 'finn').eraseUser('erin'), 'forbidden', 403);
    await rejectsWith(admin.eraseUser('ada'), 'invalid_request', 400); // not herself
    await rejectsWith(admin.eraseUser('nobody'), 'not_found', 404);

    const erased = await admin.eraseUser('erin');
    assert.equal(erased.userId, 'erin');
    assert.ok(!Number.isNaN(Date.parse(erased.erasedAt)), erased.erasedAt);
    // Gone at once: their token is refused.
    await assert.rejects(erin.me(), (e) => {
      assert.ok(e instanceof MissiveError, `a MissiveError, not ${e}`);
      assert.deepEqual([e.code, e.status, e.message], ['forbidden', 403, 'user erased']);
      return true;
    });

    // In the background, their message becomes a tombstone of no one.
    let tombstone;
    await waitFor(
      async () => {
        const { messages } = await finn.listMessages(group.id, { after: '0' });
        tombstone = messages.find((m) => m.id === sent.id);
        return tombstone?.senderId === '~erased';
      },
      { what: 'the message of no one', timeoutMs: 20_000 },
    );
    assert.deepEqual([tombstone.senderName, tombstone.body], ['', null]);
    assert.equal(typeof tombstone.deletedAt, 'string');

    const { entries } = await admin.auditLog({ limit: 5 });
    const audited = entries.find((e) => e.action === 'user.erased');
    assert.deepEqual([audited?.target, audited?.actor], ['erin', { kind: 'user', userId: 'ada', name: 'ada' }]);
  });

  test('offboarding: a suspended tenant removed in the background, its progress read until done', async () => {
    await platform.createTenant({ id: 'initech', name: 'Initech' });
    await rejectsWith(platform.offboardTenant('initech'), 'conflict', 409); // active: suspend first
    await rejectsWith(platform.offboardTenant('nobody'), 'not_found', 404);
    await platform.updateTenant('initech', { status: 'suspended' });
    const started = await platform.offboardTenant('initech');
    assert.deepEqual([started.tenantId, started.state, started.completedAt], ['initech', 'running', undefined]);
    let done;
    await waitFor(
      async () => {
        done = await platform.getOffboarding('initech');
        return done.state === 'done';
      },
      { what: 'the offboarding done', timeoutMs: 20_000 },
    );
    assert.equal(done.requestedAt, started.requestedAt);
    assert.ok(done.recordsRemoved > 0, JSON.stringify(done));
    assert.equal(typeof done.completedAt, 'string');
    assert.equal((await platform.getOffboarding('acme')).state, 'none');
    await rejectsWith(platform.getOffboarding('nobody'), 'not_found', 404);
  });

  test('the audit log: newest first, paged, the export recorded with who asked', async () => {
    const asked = await platform.requestExport('alice', { tenantId: 'acme' });
    await rejectsWith(adminRest(server, 'alice').auditLog(), 'forbidden', 403);
    const [newest] = (await admin.auditLog({ limit: 1 })).entries;
    assert.deepEqual([newest.action, newest.target, newest.actor, newest.details], [
      'user.exported',
      'alice',
      { kind: 'platform' },
      { exportId: asked.id },
    ]);
    // Ada's export of Bob, earlier, under her name.
    const { entries } = await platform.auditLog({ tenantId: 'acme', limit: 100 });
    const byAda = entries.find((e) => e.action === 'user.exported' && e.target === 'bob');
    assert.deepEqual(byAda?.actor, { kind: 'user', userId: 'ada', name: 'ada' });
    // Page by page, the same entries in the same order.
    const paged = [];
    let cursor;
    do {
      const page = await admin.auditLog({ cursor, limit: 3 });
      paged.push(...page.entries);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(paged.map((e) => e.id), entries.map((e) => e.id));
    assert.ok(entries.length > 3, 'more than one page');
    assert.equal(entries.at(-1).action, 'tenant.created', 'the oldest last');
  });
});
