// The connection limits against the real local runtime, shrunk by its flags: the idle close
// (API Gateway's 10 minutes) and the maximum life (2 hours). The client's pings and rotations
// are shrunk alike, with wide margins: pings at 1/6 of the idle limit, rotations at 1/4 of
// the maximum life.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { client, createTenant, rest, startServer, tempDataDir, waitFor } from '../support/server.js';

test('without pings, the server closes an idle socket, and the client reconnects by itself', async (t) => {
  const server = await startServer({ dataDir: tempDataDir(t), args: ['--idle-timeout-secs', '1'] });
  t.after(() => server.kill());
  await createTenant(server);
  const bob = client(server, 'bob', { pingIntervalMs: 0, rotateAfterMs: 0 });
  t.after(() => bob.client.close());
  await bob.client.connect();
  await waitFor(() => bob.states.includes('disconnected'), { what: 'the idle close' });
  assert.equal(bob.sockets[0].closedByClient, false, 'closed by the server');
  await waitFor(() => bob.client.state === 'connected' && bob.sockets.length >= 2, { what: 'the reconnection' });
});

test('pings outlive the idle limit and rotations the connection limit, seamlessly, with every message once', async (t) => {
  const server = await startServer({
    dataDir: tempDataDir(t),
    args: ['--idle-timeout-secs', '3', '--max-connection-secs', '6'],
  });
  t.after(() => server.kill());
  await createTenant(server);
  await rest(server, 'bob').me();
  const { value: conversation } = await rest(server, 'alice').createConversation({ kind: 'direct', userId: 'bob' });
  const timings = { pingIntervalMs: 500, rotateAfterMs: 1500 };
  const alice = client(server, 'alice', timings);
  const bob = client(server, 'bob', timings);
  t.after(() => [alice, bob].forEach((c) => c.client.close()));
  const received = [];
  bob.client.on('message.new', (event) => received.push(event.message.body));
  await bob.client.connect();
  await alice.client.connect();

  // Alice writes now and then while both rotate, until Bob has rotated three times.
  const sent = [];
  let sending = true;
  const writer = (async () => {
    while (sending) {
      sent.push(await alice.client.send(conversation.id, `m${sent.length}`));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  await waitFor(() => bob.sockets.length >= 4, { what: 'three rotations' });
  sending = false;
  await writer;
  await waitFor(() => received.length >= sent.length, { what: 'every message at Bob' });

  assert.deepEqual(
    received,
    sent.map((m) => m.body),
    'every message once, in order',
  );
  for (const c of [alice, bob]) {
    assert.deepEqual(c.states, ['connecting', 'connected'], 'never disconnected');
    const closed = c.sockets.filter((s) => s.readyState === s.CLOSED);
    assert.ok(closed.length >= 1);
    assert.ok(
      closed.every((s) => s.closedByClient),
      'every socket was closed by the client, none by the server',
    );
  }
});
