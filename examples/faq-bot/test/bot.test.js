// The FAQ bot against the real local runtime: missive-local (MISSIVE_LOCAL_BIN, by default the
// repository's target/debug/missive-local) on a free port with a fresh data directory, the bot
// in this process. Nothing sleeps: every wait polls a condition under a generous deadline.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBot } from '../bot.js';
// The launcher the client's and the demo's tests use (test code of the same repository).
import { eventually as pollUntil } from '../../../clients/js/test/support/eventually.js';
import { spawnLocal } from '../../../clients/js/test/support/spawn-local.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BINARY = resolve(process.env.MISSIVE_LOCAL_BIN || join(REPO_ROOT, 'target', 'debug', 'missive-local'));
/** How long something may take to happen (the machine may be busy building). */
const TIMEOUT_MS = 60_000;
const HOURS_FR = 'Nous sommes ouverts du mardi au samedi, de 9 h à 19 h.';
const DELIVERY_EN = 'We deliver in town within 24 hours; delivery is free from €50.';

let server; // { base, stop() }
let dataDir;
let tokens; // the demo users': { ada, alice }
let botKey;
let group; // the conversation of ada, alice and the bot
let webhook; // { id, secret }
let bot;
const botCalls = []; // what the bot asked of Missive: { method, path, status }
const botErrors = []; // what it logged as failures (still printed)
const realFetch = globalThis.fetch;
const realConsoleError = console.error;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'missive-faq-bot-test-'));
  server = await startServer(dataDir);
  tokens = {};
  for (const user of ['ada', 'alice']) {
    tokens[user] = (await (await fetch(`${server.base}/local/demo/session?as=${user}`)).json()).token;
  }

  // As the tenant's admin: the bot, a group it is in, and a webhook hearing messages.
  botKey = (await call('ada', 'POST', '/v1/bots', { id: 'faq', name: 'FAQ' }, 201)).apiKey;
  const questions = { kind: 'group', title: 'Questions', memberIds: ['faq', 'alice'] };
  group = await call('ada', 'POST', '/v1/conversations', questions, 201);
  // The bot's port is known once it listens, and it needs the secret to start: the endpoint
  // is made first (nothing happens meanwhile), then pointed at the bot.
  const made = await call('ada', 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/', events: ['message.created'] }, 201);
  webhook = { id: made.webhook.id, secret: made.secret };

  // Every call the bot makes is recorded (the ones carrying its key), to see what it did.
  globalThis.fetch = async (url, init = {}) => {
    const response = await realFetch(url, init);
    if (init.headers?.authorization === `Bearer ${botKey}`) {
      botCalls.push({ method: init.method ?? 'GET', path: new URL(url).pathname, status: response.status });
    }
    return response;
  };
  console.error = (...args) => {
    botErrors.push(args.join(' '));
    realConsoleError(...args);
  };
  bot = await startBot({ url: server.base, botKey, webhookSecret: webhook.secret, port: 0, host: '127.0.0.1' });
  await call('ada', 'PATCH', `/v1/webhooks/${webhook.id}`, { url: `http://127.0.0.1:${bot.port}/` }, 200);
});

after(async () => {
  await bot?.close();
  globalThis.fetch = realFetch;
  console.error = realConsoleError;
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('answers a question of its FAQ in the conversation, as the bot, and never itself', async () => {
  assert.equal(bot.botId, 'faq');
  const question = await say(group.id, 'Quels sont vos horaires ?');

  const [reply] = await eventually(async () => nonEmpty(await repliesIn(group.id)), 'the bot to answer');
  assert.equal(reply.body, HOURS_FR);
  assert.equal(reply.clientMessageId, `faq-msg_message_created_${question.id}`);
  assert.ok(reply.id > question.id, 'the answer comes after the question');

  // The answer says "ouverts", a keyword: its own message.created, heard, is not answered.
  await handled(reply.id);
  assert.equal((await repliesIn(group.id)).length, 1);
});

test('answers in the language asked, and nothing to what it does not know', async () => {
  const hello = await say(group.id, 'Bonjour !');
  await say(group.id, 'Do you offer delivery on Sundays?');

  await eventually(async () => (await repliesIn(group.id)).some((m) => m.body === DELIVERY_EN), 'the English answer');
  await handled(hello.id);
  assert.deepEqual((await repliesIn(group.id)).map((m) => m.body), [HOURS_FR, DELIVERY_EN]);
});

test('refuses a request not signed by Missive (401) and does nothing with it', async () => {
  const forged = JSON.stringify({
    type: 'message.created',
    timestamp: new Date().toISOString(),
    data: { message: { id: 'forged', conversationId: group.id, senderId: 'alice', kind: 'user', body: 'Vos tarifs ?' } },
  });
  const now = Math.floor(Date.now() / 1000);
  const attempts = {
    'signed with another secret': sign('whsec_bm90IHRoZSBzYW1lIHNlY3JldA==', 'msg_forged', now, forged),
    'a signature of another body': sign(webhook.secret, 'msg_forged', now, '{}'),
    'signed 10 minutes ago (a replay)': sign(webhook.secret, 'msg_forged', now - 600, forged),
    'not signed': { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(now) },
  };
  for (const [what, headers] of Object.entries(attempts)) {
    const response = await postToBot(bot, headers, forged);
    assert.equal(response.status, 401, what);
  }
  await bot.settled();
  assert.equal(botCalls.filter((c) => c.method === 'POST').length, 2, 'only the two answers so far');
});

test('answers once an event delivered twice', async () => {
  const first = (await deliveries()).find((d) => JSON.parse(d.body).data.message.body === 'Quels sont vos horaires ?');

  // Missive delivers it again (same webhook-id): the bot has seen it, and drops it.
  await call('ada', 'POST', `/v1/webhooks/${webhook.id}/deliveries/${first.id}/retry`, undefined, 202);
  await eventually(async () => {
    const again = (await deliveries()).find((d) => d.id === first.id);
    return again.attempts >= 2 && again.status === 'delivered';
  }, 'the second delivery');
  await bot.settled();
  assert.equal(botCalls.filter((c) => c.method === 'POST').length, 2, 'nothing sent again');

  // A second instance of the bot (a restart: nothing remembered) gets it too: it answers with
  // the same clientMessageId, and Missive returns the first answer (200) instead of a new one.
  const other = await startBot({ url: server.base, botKey, webhookSecret: webhook.secret, port: 0, host: '127.0.0.1' });
  try {
    const headers = sign(webhook.secret, first.eventId, Math.floor(Date.now() / 1000), first.body);
    const response = await postToBot(other, headers, first.body);
    assert.equal(response.status, 204);
    await other.settled();
  } finally {
    await other.close();
  }
  const answered = botCalls.filter((c) => c.method === 'POST').at(-1);
  assert.deepEqual(answered, { method: 'POST', path: `/v1/conversations/${group.id}/messages`, status: 200 });
  assert.deepEqual((await repliesIn(group.id)).map((m) => m.body), [HOURS_FR, DELIVERY_EN]);
});

test('leaves alone a conversation it is not in (404)', async () => {
  const direct = await call('alice', 'POST', '/v1/conversations', { kind: 'direct', userId: 'bob' }, 201);
  const question = await say(direct.id, 'Tu sais à quelle heure ils sont ouverts ?');
  await handled(question.id);
  assert.deepEqual(botCalls.at(-1), { method: 'POST', path: `/v1/conversations/${direct.id}/messages`, status: 404 });
  assert.deepEqual(await repliesIn(direct.id), []);
  assert.deepEqual(botErrors, [], 'a 404 is no failure, and nothing else failed');
});

// ---- helpers

/** missive-local on a free port over `dataDir`, with the demo tenant. */
async function startServer(dataDir) {
  const { base, stop } = await spawnLocal({
    binary: BINARY,
    args: ['--port', '0', '--data-dir', dataDir, '--scheduler-interval-ms', '100'],
    env: {
      MISSIVE_JWT_SECRET: 'missive-faq-bot-tests-secret-0123456789',
      MISSIVE_PLATFORM_KEY: 'missive-faq-bot-tests-platform-key',
    },
  });
  return {
    base,
    stop,
  };
}

/** A REST call as a demo user; fails unless it answers `status`. */
async function call(user, method, path, body, status) {
  const response = await realFetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, status, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Alice writes `body` in a conversation: the message. */
function say(conversationId, body) {
  return call('alice', 'POST', `/v1/conversations/${conversationId}/messages`, { body }, 201);
}

/** The bot's messages in a conversation (read as alice, a member), oldest first. */
async function repliesIn(conversationId) {
  const { messages } = await call('alice', 'GET', `/v1/conversations/${conversationId}/messages?limit=100`, undefined, 200);
  return messages.filter((m) => m.senderId === bot.botId);
}

/** The webhook's deliveries, newest first. */
async function deliveries() {
  return (await call('ada', 'GET', `/v1/webhooks/${webhook.id}/deliveries?limit=100`, undefined, 200)).deliveries;
}

/** Waits until the bot took the message.created of `messageId` and finished with it. */
async function handled(messageId) {
  const eventId = `msg_message_created_${messageId}`;
  const delivered = async () => (await deliveries()).some((d) => d.eventId === eventId && d.status === 'delivered');
  await eventually(delivered, `the delivery of ${eventId}`);
  await bot.settled();
}

/** Standard Webhooks headers for `body`, signed with `secret`. */
function sign(secret, id, timestamp, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

/** A request to a bot instance, as Missive would send one. */
function postToBot(target, headers, body) {
  return realFetch(`http://127.0.0.1:${target.port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

const nonEmpty = (list) => (list.length > 0 ? list : null);

/** Polls `check` until it holds, within the test's generous deadline. */
function eventually(check, what) {
  return pollUntil(check, { what, timeoutMs: TIMEOUT_MS });
}
