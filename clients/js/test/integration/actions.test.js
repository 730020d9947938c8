// The WebSocket actions against the real local runtime: each answers with its ack (or a
// MissiveError with the server's code), and the other members get the matching events.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveAdmin } from '../../dist/admin.js';
import { MissiveError, MissiveRest } from '../../dist/index.js';
import {
  client,
  createTenant,
  PLATFORM_KEY,
  rest,
  startServer,
  tempDataDir,
  token,
  waitFor,
} from '../support/server.js';

/** Collects the events a client delivers, by type. */
function collect(c) {
  const events = [];
  c.client.on('event', (event) => events.push(event));
  return {
    of: (type) => events.filter((e) => e.type === type),
    events,
  };
}

test('send, edit, delete, markRead and typing: acks to the caller, events to the others', async (t) => {
  const server = await startServer({ dataDir: tempDataDir(t) });
  t.after(() => server.kill());
  await createTenant(server);
  await rest(server, 'bob').me();
  const { value: conversation } = await rest(server, 'alice').createConversation({ kind: 'direct', userId: 'bob' });

  const alice = client(server, 'alice');
  const aliceElsewhere = client(server, 'alice'); // the same user on a second device
  const bob = client(server, 'bob');
  t.after(() => [alice, aliceElsewhere, bob].forEach((c) => c.client.close()));
  await Promise.all([alice.client.connect(), aliceElsewhere.client.connect(), bob.client.connect()]);
  const atAlice = collect(alice);
  const atElsewhere = collect(aliceElsewhere);
  const atBob = collect(bob);

  const sent = await alice.client.send(conversation.id, 'Salut Bob !');
  assert.deepEqual([sent.body, sent.senderId, sent.conversationId], ['Salut Bob !', 'alice', conversation.id]);
  await waitFor(() => atBob.of('message.new').length === 1 && atElsewhere.of('message.new').length === 1, {
    what: 'message.new',
  });
  assert.equal(atBob.of('message.new')[0].message.id, sent.id);
  assert.equal(atElsewhere.of('message.new')[0].message.id, sent.id, "the sender's other devices hear of it");

  const typing = await alice.client.typing(conversation.id, 'start');
  assert.equal(typing.delivered, true);
  await waitFor(() => atBob.of('typing').length === 1, { what: 'typing' });
  assert.deepEqual([atBob.of('typing')[0].userId, atBob.of('typing')[0].state], ['alice', 'start']);
  assert.equal(
    (await alice.client.typing(conversation.id, 'start')).delivered,
    false,
    'a second start within 2 s is dropped',
  );

  const edited = await alice.client.editMessage(conversation.id, sent.id, 'Salut Bob !!');
  assert.equal(edited.message.body, 'Salut Bob !!');
  assert.equal(typeof edited.cursor, 'string');
  await waitFor(() => atBob.of('message.updated').length === 1, { what: 'message.updated' });

  const read = await bob.client.markRead(conversation.id, sent.id);
  assert.deepEqual([read.read.lastReadMessageId, read.read.unreadCount], [sent.id, 0]);
  await waitFor(() => atAlice.of('read').length === 1, { what: 'read' });
  assert.equal(atAlice.of('read')[0].userId, 'bob');

  await assert.rejects(
    bob.client.editMessage(conversation.id, sent.id, 'not mine'),
    (e) => e instanceof MissiveError && e.code === 'forbidden',
  );
  await assert.rejects(alice.client.send('01KNOSUCHCONVERSATION00000', 'hi'), (e) => e.code === 'not_found');
  await assert.rejects(alice.client.send(conversation.id, ' '.repeat(3)), (e) => e.code === 'invalid_request');

  const deleted = await alice.client.deleteMessage(conversation.id, sent.id);
  assert.equal(deleted.message.body, null);
  await waitFor(() => atBob.of('message.deleted').length === 1, { what: 'message.deleted' });
  const again = await alice.client.deleteMessage(conversation.id, sent.id);
  assert.equal(again.cursor, null, 'deleting again changes nothing');

  // Alice's first client never gets its own actions back as news.
  await alice.client.ping();
  assert.deepEqual(atAlice.of('message.new'), []);
  assert.deepEqual(atAlice.of('message.updated'), []);
});

test('a send with a clientMessageId used already resolves with the first message', async (t) => {
  const server = await startServer({ dataDir: tempDataDir(t) });
  t.after(() => server.kill());
  await createTenant(server);
  await rest(server, 'bob').me();
  const { value: conversation } = await rest(server, 'alice').createConversation({ kind: 'direct', userId: 'bob' });
  const alice = client(server, 'alice');
  t.after(() => alice.client.close());
  await alice.client.connect();
  const first = await alice.client.send(conversation.id, 'once', { clientMessageId: 'same-id' });
  const second = await alice.client.send(conversation.id, 'once more?', { clientMessageId: 'same-id' });
  assert.equal(second.id, first.id);
  assert.equal(second.body, 'once');
  const history = await rest(server, 'alice').listMessages(conversation.id);
  assert.equal(history.messages.length, 1);
});

test('quota_exceeded: a tenant over its messages a minute is refused at once, with the quota and when it has room again', async (t) => {
  const server = await startServer({ dataDir: tempDataDir(t) });
  t.after(() => server.kill());
  const platform = new MissiveAdmin({ baseUrl: server.base, getToken: () => PLATFORM_KEY });
  await platform.createTenant({ id: 'tight', name: 'Tight', locale: 'en', quotas: { messagesPerMinute: 2 } });
  const getToken = (sub) => () => token({ sub, tid: 'tight' });
  const annRest = new MissiveRest({ baseUrl: server.base, getToken: getToken('ann') });
  await new MissiveRest({ baseUrl: server.base, getToken: getToken('ben') }).me();
  const { value: conversation } = await annRest.createConversation({ kind: 'direct', userId: 'ben' });
  const ann = client(server, 'ann', { getToken: getToken('ann') });
  t.after(() => ann.client.close());
  await ann.client.connect();

  /**
   * Sends until one is refused: two a minute pass, so within 7 one is, even if a minute ends
   * on the way (whatever the timing). Answers the refusal and how many passed before it.
   */
  async function sendUntilRefused(send) {
    for (let sent = 0; sent < 7; sent++) {
      try {
        await send(`message ${sent}`);
      } catch (error) {
        return { error, passed: sent };
      }
    }
    assert.fail('7 messages passed a quota of 2 a minute');
  }
  const assertQuotaRefusal = (error, status) => {
    assert.ok(error instanceof MissiveError, `a MissiveError, not ${error}`);
    assert.deepEqual([error.code, error.status, error.quota], ['quota_exceeded', status, 'messagesPerMinute']);
    const { retryAfter } = error;
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `retryAfter ${retryAfter}`);
  };

  // Over the socket: the send rejects at once, nothing left pending. (Retried as rate_limited
  // is, it would never settle: `timeoutMs` turns that into a failure rather than a hang.)
  const overSocket = await sendUntilRefused((body) => ann.client.send(conversation.id, body, { timeoutMs: 20_000 }));
  assertQuotaRefusal(overSocket.error, undefined);
  assert.ok(overSocket.passed >= 1, 'the quota let messages through first');
  assert.equal(ann.client.pendingRequests, 0);
  assert.equal(ann.client.state, 'connected');

  // Over REST: 429 with the same details.
  const overRest = await sendUntilRefused((body) => annRest.postMessage(conversation.id, body));
  assertQuotaRefusal(overRest.error, 429);

  // Nothing refused was stored: the history holds what passed.
  const { messages } = await annRest.listMessages(conversation.id);
  assert.equal(messages.length, overSocket.passed + overRest.passed);
});
