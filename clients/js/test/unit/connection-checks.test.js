// MissiveClient's checks of its credentials and of its socket, on a fake WebSocket, a fake
// clock and a fake fetch: credentials refused for good close it with `auth_failed`; wake-ups
// (`online`, a visible page) and ack timeouts ping before a socket is given up; the first
// connection resumes from when the client was made. Time moves only by clock.advance.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserWakeSignals, MissiveError } from '../../dist/index.js';
import { cursorAt } from '../../dist/ulid.js';
import { ack, answerSync, connectFirst, harness, settle } from '../support/harness.js';
import { cursor, message, messageNew } from '../support/frames.js';

const CONV = '01KCONVERSATION00000000000';

/** A fetch answering `GET /v1/me` with `status`, recording the tokens it was asked with. */
function meFetch(status) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, authorization: init.headers.authorization });
    if (status === 'offline') throw new TypeError('fetch failed');
    const body =
      status === 200
        ? { user: { id: 'me' } }
        : { error: { code: status === 401 ? 'unauthorized' : 'forbidden', message: 'no' } };
    return new Response(JSON.stringify(body), { status });
  };
  return { fetch, calls };
}

/** Lets the current socket close before it opens (a refused handshake), then waits the backoff. */
async function refuse(h) {
  h.socket.drop();
  await settle();
  if (h.client.state === 'disconnected') await h.clock.advance(h.stateChanges.at(-1).retryInMs);
}

/** A wake-up source the test fires by hand. */
function manualWake() {
  const source = {
    listeners: 0,
    wake: () => {},
    subscribe(wake) {
      source.wake = wake;
      source.listeners += 1;
      return () => {
        source.listeners -= 1;
      };
    },
  };
  return source;
}

test('auth_failed: a getToken that fails for good closes the client, without retrying', async () => {
  let calls = 0;
  const h = harness({
    getToken: () => {
      calls += 1;
      throw new MissiveError('auth_failed', 'signed out');
    },
  });
  const queued = h.client.send(CONV, 'never sent');
  const connected = h.client.connect();
  await assert.rejects(connected, (e) => e instanceof MissiveError && e.code === 'auth_failed');
  await assert.rejects(queued, (e) => e.code === 'auth_failed');
  assert.equal(h.client.state, 'closed');
  const closed = h.stateChanges.at(-1);
  assert.equal(closed.error.code, 'auth_failed');
  assert.equal(closed.reason, 'signed out');
  assert.deepEqual(
    h.errors.map((e) => e.code),
    ['auth_failed'],
  );
  await h.clock.advance(60_000);
  assert.equal(calls, 1, 'never asked again');
  assert.equal(h.sockets.length, 0);
});

test('auth_failed: after repeated refusals before open, a REST probe with the same token answered 401 closes the client', async () => {
  const { fetch, calls } = meFetch(401);
  const h = harness({ restUrl: 'http://api.test/', fetch, authProbeAfter: 3 });
  const connected = h.client.connect();
  const refused = assert.rejects(connected, (e) => e.code === 'auth_failed' && e.status === 401);
  await settle();
  await refuse(h);
  await refuse(h);
  assert.equal(calls.length, 0, 'two refusals may be the network');
  assert.equal(h.sockets.length, 3);
  h.socket.drop();
  await settle();
  assert.deepEqual(calls, [{ url: 'http://api.test/v1/me', authorization: 'Bearer token-3' }], "the last attempt's token");
  await refused;
  assert.equal(h.client.state, 'closed');
  assert.equal(h.stateChanges.at(-1).error.code, 'auth_failed');
  await h.clock.advance(60_000);
  assert.equal(h.sockets.length, 3, 'no more attempts');
});

test('auth_failed: 403 (a suspended tenant or user) is refused for good too', async () => {
  const { fetch } = meFetch(403);
  const h = harness({ restUrl: 'http://api.test', fetch, authProbeAfter: 1 });
  const connected = h.client.connect();
  await settle();
  h.socket.drop();
  await assert.rejects(connected, (e) => e.code === 'auth_failed' && e.status === 403);
});

test('a probe that accepts the token, or gets no answer, lets the attempts go on; the next probe waits for as many refusals', async () => {
  for (const status of [200, 'offline', 503]) {
    const { fetch, calls } = meFetch(status);
    const h = harness({ restUrl: 'http://api.test', fetch, authProbeAfter: 2 });
    h.client.connect();
    await settle();
    await refuse(h);
    await refuse(h);
    assert.equal(calls.length, 1, `${status}: probed after two refusals`);
    assert.notEqual(h.client.state, 'closed', `${status}: not a verdict`);
    await refuse(h);
    assert.equal(calls.length, 1, `${status}: not at every refusal`);
    await refuse(h);
    assert.equal(calls.length, 2, `${status}: again after two more`);
    h.socket.open();
    await settle();
    await answerSync(h.socket);
    assert.equal(h.client.state, 'connected');
    h.client.close();
  }
});

test('without restUrl, refusals are retried forever; a socket that opened resets the count', async () => {
  const h = harness({ authProbeAfter: 1 });
  h.client.connect();
  await settle();
  for (let i = 0; i < 5; i++) await refuse(h);
  assert.equal(h.client.state, 'connecting');
  assert.equal(h.sockets.length, 6);

  const { fetch, calls } = meFetch(401);
  const probed = harness({ restUrl: 'http://api.test', fetch, authProbeAfter: 2 });
  probed.client.connect();
  await settle();
  await refuse(probed);
  probed.socket.open(); // opened: the token was fine
  await settle();
  await answerSync(probed.socket);
  probed.socket.drop(); // a drop after opening is not a refusal
  await settle();
  await probed.clock.advance(probed.stateChanges.at(-1).retryInMs);
  await refuse(probed);
  assert.equal(calls.length, 0, 'one refusal since the last open');
});

test('a refused rotation does not probe while the current socket serves', async () => {
  const { fetch, calls } = meFetch(401);
  const h = harness({ restUrl: 'http://api.test', fetch, authProbeAfter: 1, rotateAfterMs: 10_000, random: () => 0 });
  await connectFirst(h);
  await h.clock.advance(10_000);
  h.socket.drop();
  await settle();
  assert.equal(calls.length, 0);
  assert.equal(h.client.state, 'connected');
});

test('a wake-up while connected pings with the short probe timeout: no pong, the client reconnects at once', async () => {
  const wake = manualWake();
  const h = harness({ wakeSignals: wake, probeTimeoutMs: 2_000, ackTimeoutMs: 10_000 });
  assert.equal(wake.listeners, 0, 'nothing subscribed before connect()');
  const first = await connectFirst(h);
  assert.equal(wake.listeners, 1);
  wake.wake();
  wake.wake(); // `online` and `visibilitychange` together: one ping
  assert.equal(first.actions('ping').length, 1);
  await h.clock.advance(1_999);
  assert.equal(first.closedWith, undefined);
  await h.clock.advance(1);
  assert.equal(first.closedWith.code, 4000);
  assert.equal(h.client.state, 'disconnected');
  assert.equal(h.stateChanges.at(-1).reason, 'no pong');

  // Waiting before the next attempt: a wake-up skips the wait.
  assert.ok(h.stateChanges.at(-1).retryInMs > 0);
  wake.wake();
  await settle();
  assert.equal(h.sockets.length, 2, 'the attempt starts now');
  h.client.close();
  assert.equal(wake.listeners, 0, 'unsubscribed by close()');
});

test('a wake-up answered by a pong leaves the socket as it is', async () => {
  const wake = manualWake();
  const h = harness({ wakeSignals: wake });
  const socket = await connectFirst(h);
  wake.wake();
  socket.receive({ type: 'pong', requestId: socket.last('ping').requestId });
  await h.clock.advance(60_000);
  assert.equal(socket.closedWith, undefined);
  assert.deepEqual(h.states, ['connecting', 'connected']);
});

test('checkConnection() is the same check for apps that watch other signals', async () => {
  const h = harness({ probeTimeoutMs: 500 });
  h.client.checkConnection(); // not started: nothing
  assert.equal(h.sockets.length, 0);
  const socket = await connectFirst(h);
  h.client.checkConnection();
  assert.equal(socket.actions('ping').length, 1);
  await h.clock.advance(500);
  assert.equal(h.client.state, 'disconnected');
});

test('browserWakeSignals: `online` on window, `visibilitychange` on document when the page is visible', () => {
  const win = new EventTarget();
  const doc = new EventTarget();
  doc.visibilityState = 'hidden';
  const signals = browserWakeSignals(win, doc);
  let wakes = 0;
  const stop = signals.subscribe(() => (wakes += 1));
  win.dispatchEvent(new Event('online'));
  assert.equal(wakes, 1);
  doc.dispatchEvent(new Event('visibilitychange'));
  assert.equal(wakes, 1, 'hidden: nothing to check');
  doc.visibilityState = 'visible';
  doc.dispatchEvent(new Event('visibilitychange'));
  assert.equal(wakes, 2);
  stop();
  win.dispatchEvent(new Event('online'));
  doc.dispatchEvent(new Event('visibilitychange'));
  assert.equal(wakes, 2, 'stopped');
  assert.equal(browserWakeSignals(undefined, undefined), undefined, 'none outside a browser');
});

test('an ack timeout answered by a pong writes the request again on the same socket, which stays', async () => {
  const h = harness({ ackTimeoutMs: 1000, probeTimeoutMs: 300 });
  const socket = await connectFirst(h);
  const sent = h.client.send(CONV, 'hello', { clientMessageId: 'c-1' });
  const other = h.client.send('01KOTHER000000000000000000', 'other', { clientMessageId: 'c-2' });
  await settle();
  const [first] = socket.actions('sendMessage');
  await h.clock.advance(1000);
  assert.equal(socket.actions('ping').length, 1, 'one ping for both overdue requests');
  socket.receive({ type: 'pong', requestId: socket.last('ping').requestId });
  await settle();
  assert.equal(socket.closedWith, undefined, 'the socket works');
  const writes = socket.actions('sendMessage');
  assert.deepEqual(
    writes.map((f) => f.clientMessageId),
    ['c-1', 'c-2', 'c-1', 'c-2'],
    'both written again, with their ids',
  );
  assert.notEqual(writes[2].requestId, first.requestId);
  // The first write's answer, late, is ignored; the second's resolves.
  const stored = message(CONV, cursor(h.clock.now(), 1), 'hello', { clientMessageId: 'c-1' });
  socket.receive({ type: 'ack', requestId: first.requestId, message: stored, cursor: null });
  socket.receive({ type: 'ack', requestId: writes[2].requestId, message: stored, cursor: null });
  assert.deepEqual(await sent, stored);
  socket.receive({ type: 'ack', requestId: writes[3].requestId, message: message(CONV, 'm2', 'other'), cursor: null });
  assert.equal((await other).body, 'other');
  assert.deepEqual(h.states, ['connecting', 'connected']);
});

test('an answer that comes while the ping is out settles the request; the pong writes nothing again', async () => {
  const h = harness({ ackTimeoutMs: 1000, probeTimeoutMs: 300 });
  const socket = await connectFirst(h);
  const read = h.client.markRead(CONV, 'm1');
  await settle();
  await h.clock.advance(1000);
  await ack(socket, 'markRead', { read: { lastReadMessageId: 'm1' }, cursor: null });
  socket.receive({ type: 'pong', requestId: socket.last('ping').requestId });
  await settle();
  assert.equal((await read).read.lastReadMessageId, 'm1');
  assert.equal(socket.actions('markRead').length, 1);
});

test('first connection: events published after the client was made and before its socket opened are delivered, however long the connection took', async () => {
  const h = harness();
  const madeAt = h.clock.now();
  // The app loads its state over REST here; the first attempts fail for 40 s.
  h.client.connect();
  await settle();
  for (let i = 0; i < 6; i++) await refuse(h);
  await h.clock.advance(40_000 - (h.clock.now() - madeAt));
  await settle();
  if (h.client.state === 'disconnected') await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  const socket = h.socket;
  socket.open();
  await settle();
  assert.equal(socket.last('sync').since, cursorAt(madeAt - 1_000), 'from when the client was made (less 1 s)');
  assert.equal(h.client.state, 'connecting', 'caught up before connected');
  socket.receive(messageNew(CONV, cursor(h.clock.now(), 1), 'live'));
  await answerSync(socket, [
    messageNew(CONV, cursor(madeAt, -500), 'published as the load began'),
    messageNew(CONV, cursor(madeAt, 5_000), 'during the load'),
  ]);
  assert.deepEqual(h.bodies(), ['published as the load began', 'during the load', 'live']);
  assert.ok(h.events.every((e) => !e.late));
  assert.equal(h.client.state, 'connected');
});

test('first connection with `since`: the app-given cursor is where the sync starts', async () => {
  const since = cursorAt(Date.UTC(2026, 10, 26, 9, 59, 0));
  const h = harness({ since });
  assert.equal(h.client.resumeCursor, since);
  h.client.connect();
  await settle();
  h.socket.open();
  await settle();
  assert.equal(h.socket.last('sync').since, since);
});
