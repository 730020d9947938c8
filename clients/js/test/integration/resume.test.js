// Resume without loss or repeat against the real local runtime: a sender sends N messages
// while the receiver's socket is killed (A) or the server itself is killed with SIGKILL and
// restarted on the same port and data (B). The receiver must end with every message exactly
// once, in order; the server must have stored each exactly once.
//
// "In order": the receiver's timeline (messages placed by id, as a chat view does) is m0…m49,
// and everything delivered on time came in cursor order. A message may be delivered *late*
// (flagged `late`), after higher ones: the server can store a message after a reconnecting
// client's sync read the log, yet not push it to that client, because it listed the
// recipients' connections before that client had registered (see docs/client.md). The
// client's settle sync, or its next resume, brings such a message; the test counts them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { client, createTenant, rest, startServer, tempDataDir, waitFor } from '../support/server.js';

const N = 50;
const expected = Array.from({ length: N }, (_, i) => `m${i}`);

/** Alice and Bob, a direct conversation, a connected client for each. */
async function chat(server) {
  await createTenant(server);
  const alice = rest(server, 'alice');
  await rest(server, 'bob').me(); // Bob comes into being on his first request
  const { value: conversation } = await alice.createConversation({ kind: 'direct', userId: 'bob' });
  const sender = client(server, 'alice');
  const receiver = client(server, 'bob');
  const received = [];
  const late = [];
  receiver.client.on('message.new', (event, info) => {
    if (event.conversationId !== conversation.id) return;
    received.push(event.message);
    if (info.late) late.push(event.message.body);
  });
  await receiver.client.connect();
  await sender.client.connect();
  return { conversation, sender, receiver, received, late, bob: rest(server, 'bob') };
}

/** Every message once, in order, on the receiver's side and in the stored history. */
async function assertExactlyOnce(t, { conversation, receiver, received, late, bob }, sent) {
  const ids = received.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, 'no message delivered twice');
  const timeline = [...received].sort((a, b) => (a.id < b.id ? -1 : 1)).map((m) => m.body);
  assert.deepEqual(timeline, expected, 'every message delivered, and their ids in send order');
  const onTime = received.filter((m) => !late.includes(m.body)).map((m) => m.body);
  assert.deepEqual(
    onTime,
    expected.filter((b) => onTime.includes(b)),
    'on-time deliveries came in cursor order',
  );
  t.diagnostic(`delivered late (published while the receiver reconnected): ${late.length ? late.join(', ') : 'none'}`);

  assert.deepEqual(
    sent.map((m) => m.body),
    expected,
    'every send resolved with its own message',
  );
  assert.deepEqual(new Set(sent.map((m) => m.id)), new Set(ids), 'the same messages on both sides');
  const history = await bob.listMessages(conversation.id, { after: '0', limit: 100 });
  assert.deepEqual(
    history.messages.map((m) => m.body),
    expected,
    'stored exactly once each, despite the retries',
  );

  // One more reconnect: its resume sync (done once `connected`) must bring nothing again.
  const before = receiver.sockets.length;
  receiver.socket.terminate();
  await waitFor(() => receiver.sockets.length > before && receiver.client.state === 'connected', {
    what: 'the receiver to resume',
  });
  await receiver.client.ping();
  assert.equal(received.length, N, 'nothing delivered twice after a further resume');
}

test('A: the receiver’s socket is killed twice mid-stream and the sender’s once: every message exactly once, in order', async (t) => {
  const server = await startServer({ dataDir: tempDataDir(t) });
  t.after(() => server.kill());
  const setup = await chat(server);
  const { sender, receiver, received, conversation } = setup;
  t.after(() => {
    sender.client.close();
    receiver.client.close();
  });

  // Kills happen inside the receiver's listener, so they fall mid-stream whatever the speed.
  receiver.client.on('message.new', () => {
    if (received.length === 15 || received.length === 35) receiver.socket.terminate();
    if (received.length === 25) sender.socket.terminate();
  });
  const sent = await Promise.all(expected.map((body) => sender.client.send(conversation.id, body)));
  await waitFor(() => received.length >= N, { what: `${N} messages at the receiver` });
  // The last kill may land after the last message: wait for its reconnection too.
  await waitFor(() => receiver.sockets.length >= 3 && receiver.client.state === 'connected', {
    what: 'the receiver to reconnect twice',
  });
  await waitFor(() => sender.sockets.length >= 2 && sender.client.state === 'connected', {
    what: 'the sender to reconnect',
  });
  await assertExactlyOnce(t, setup, sent);
});

test('B: the server is killed (SIGKILL) mid-stream and restarted on the same port and data: every message exactly once, in order', async (t) => {
  const dataDir = tempDataDir(t);
  let server = await startServer({ dataDir });
  t.after(() => server.kill());
  const setup = await chat(server);
  const { sender, receiver, received, conversation } = setup;
  t.after(() => {
    sender.client.close();
    receiver.client.close();
  });

  let killed = false;
  receiver.client.on('message.new', () => {
    if (received.length === 20 && !killed) {
      killed = true;
      server.killNow();
    }
  });
  const sending = Promise.all(expected.map((body) => sender.client.send(conversation.id, body)));
  await waitFor(() => killed, { what: 'the kill' });
  await server.exited;
  await waitFor(() => sender.client.state !== 'connected' && receiver.client.state !== 'connected', {
    what: 'both clients to notice',
  });
  server = await startServer({ dataDir, port: server.port });
  const sent = await sending;
  await waitFor(() => received.length >= N, { what: `${N} messages at the receiver` });
  await assertExactlyOnce(t, setup, sent);
});
