// MissiveClient on a fake WebSocket and a fake clock: states, backoff, resume, sends, pings
// and rotation, with the server's side played by the test. Time moves only by clock.advance.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveClient, MissiveError } from '../../dist/index.js';
import { cursorAt } from '../../dist/ulid.js';
import { ack, answerSync, connectFirst, harness, settle } from '../support/harness.js';
import { cursor, message, messageNew } from '../support/frames.js';

const CONV = '01KCONVERSATION00000000000';
const OTHER = '01KOTHERCONVERSATION000000';

async function reconnect(h, { syncWith = [] } = {}) {
  h.socket.drop();
  await settle();
  await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  h.socket.open();
  await settle();
  await answerSync(h.socket, syncWith);
  return h.socket;
}

test('states: disconnected → connecting → connected; a drop waits a jittered delay, then resumes; close is final', async () => {
  const h = harness();
  assert.equal(h.client.state, 'disconnected');
  const madeAt = h.clock.now();
  const first = await connectFirst(h);
  assert.deepEqual(h.states, ['connecting', 'connected']);
  assert.equal(first.url, 'ws://missive.test/ws?token=token-1');
  assert.deepEqual(
    first.actions('sync').map((f) => f.since),
    [cursorAt(madeAt - 1_000)],
    'a first connection without `since` catches up from when the client was made',
  );

  first.drop();
  await settle();
  assert.equal(h.client.state, 'disconnected');
  assert.deepEqual(
    { retryInMs: h.stateChanges.at(-1).retryInMs, attempt: h.stateChanges.at(-1).attempt },
    { retryInMs: 50, attempt: 1 },
    'full jitter: random 0.5 of a 100 ms ceiling',
  );
  await h.clock.advance(49);
  assert.equal(h.sockets.length, 1, 'no attempt before the delay');
  await h.clock.advance(1);
  assert.equal(h.sockets.length, 2);
  assert.equal(h.client.state, 'connecting');
  assert.equal(h.socket.token, 'token-2', 'a fresh token for every connection');

  h.socket.open();
  await settle();
  assert.equal(h.client.state, 'connecting', 'not connected before the sync is done');
  assert.equal(h.socket.last('sync').since, h.client.resumeCursor);
  await answerSync(h.socket);
  assert.equal(h.client.state, 'connected');

  h.client.close();
  assert.equal(h.client.state, 'closed');
  assert.deepEqual(h.socket.closedWith, { code: 1000, reason: 'client closed' });
  assert.deepEqual(h.states, ['connecting', 'connected', 'disconnected', 'connecting', 'connected', 'closed']);
  await h.clock.advance(1000);
  assert.equal(h.sockets.length, 2, 'nothing reopens a closed client');
  await assert.rejects(h.client.connect(), (e) => e instanceof MissiveError && e.code === 'closed');
});

test('failed attempts back off exponentially up to the ceiling; a connection starts over', async () => {
  const h = harness();
  h.client.connect();
  await settle();
  const delays = [];
  for (let i = 0; i < 6; i++) {
    h.socket.drop();
    await settle();
    delays.push(h.stateChanges.at(-1).retryInMs);
    await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  }
  assert.deepEqual(delays, [50, 100, 200, 400, 500, 500], 'half of 100, 200, 400, 800, then the 1000 ms maximum');
  h.socket.open();
  await settle();
  await answerSync(h.socket);
  assert.equal(h.client.state, 'connected');
  h.socket.drop();
  await settle();
  assert.equal(h.stateChanges.at(-1).retryInMs, 50);
});

test('getToken is asked before every connection; a failure is reported and retried', async () => {
  let calls = 0;
  const h = harness({
    getToken: () => {
      calls += 1;
      if (calls === 1) throw new Error('session expired');
      return 'a b&c';
    },
  });
  h.client.connect();
  await settle();
  assert.equal(h.sockets.length, 0);
  assert.equal(h.errors[0].code, 'token_error');
  assert.match(h.errors[0].message, /session expired/);
  assert.equal(h.client.state, 'disconnected');
  await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  assert.equal(h.socket.url, 'ws://missive.test/ws?token=a%20b%26c');
  h.socket.open();
  await settle();
  await answerSync(h.socket);
  assert.equal(h.client.state, 'connected');
});

test('resume: after a reconnect, synced and live events are delivered once each, in cursor order', async () => {
  const h = harness();
  const t = h.clock.now();
  const c = (ms) => cursor(t, ms);
  const first = await connectFirst(h);
  first.receive(messageNew(CONV, c(1), 'one'));
  first.receive(messageNew(CONV, c(2), 'two'));
  first.drop();
  await settle();
  await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  const second = h.socket;
  second.open();
  await settle();
  assert.equal(
    second.last('sync').since,
    cursorAt(t + 1 - 10_000),
    'resumes from the floor (the window before the first event), not from the highest cursor',
  );

  // A live push overtakes the sync's answer, which repeats what was seen and what was pushed.
  second.receive(messageNew(CONV, c(5), 'five'));
  assert.deepEqual(h.bodies(), ['one', 'two'], 'held while syncing');
  await answerSync(second, [
    messageNew(CONV, c(1), 'one'),
    messageNew(CONV, c(2), 'two'),
    messageNew(CONV, c(3), 'three'),
    messageNew(CONV, c(4), 'four'),
    messageNew(CONV, c(5), 'five'),
  ]);
  second.receive(messageNew(CONV, c(6), 'six'));
  second.receive(messageNew(CONV, c(6), 'six')); // a queue worker's redelivery: same cursor
  assert.deepEqual(h.bodies(), ['one', 'two', 'three', 'four', 'five', 'six']);
  assert.ok(h.events.every((e) => !e.late));
  assert.equal(h.client.lastCursor, c(6));
});

test('sync pages: with more, sync again from the page cursor; held live events wait for the last page', async () => {
  const h = harness({ since: cursorAt(Date.UTC(2026, 10, 26, 9, 0, 0)) });
  const t = h.clock.now();
  const c = (ms) => cursor(t, ms);
  h.client.connect();
  await settle();
  h.socket.open();
  await settle();
  assert.equal(h.socket.last('sync').since, cursorAt(Date.UTC(2026, 10, 26, 9, 0, 0)), 'the app-given cursor');
  h.socket.receive(messageNew(CONV, c(9), 'nine')); // live, during the first page
  await answerSync(h.socket, [messageNew(CONV, c(3), 'three'), messageNew(CONV, c(4), 'four')], { more: true });
  assert.deepEqual(h.bodies(), ['three', 'four']);
  assert.equal(h.socket.last('sync').since, c(4));
  assert.equal(h.client.state, 'connecting');
  await answerSync(h.socket, [messageNew(CONV, c(5), 'five')]);
  assert.deepEqual(h.bodies(), ['three', 'four', 'five', 'nine']);
  assert.equal(h.client.state, 'connected');
});

test('a live event lower than one delivered already is still delivered once, flagged late', async () => {
  const h = harness();
  const t = h.clock.now();
  const first = await connectFirst(h);
  first.receive(messageNew(CONV, cursor(t, 20), 'b'));
  first.receive(messageNew(CONV, cursor(t, 10), 'a')); // published first, finished second
  first.receive(messageNew(CONV, cursor(t, 10), 'a'));
  assert.deepEqual(h.bodies(), ['b', 'a']);
  assert.deepEqual(
    h.events.map((e) => e.late),
    [false, true],
  );
});

test('sync_expired: the app is told to reload, and live events go on', async () => {
  const since = cursorAt(Date.UTC(2026, 10, 1));
  const h = harness({ since });
  h.client.connect();
  await settle();
  h.socket.open();
  await settle();
  const sync = h.socket.last('sync');
  h.socket.receive({ type: 'error', requestId: sync.requestId, code: 'sync_expired', message: 'reload' });
  await settle();
  assert.deepEqual(h.reloads, [{ reason: 'sync_expired', since, message: 'reload' }]);
  assert.equal(h.client.state, 'connected');
  assert.equal(h.client.resumeCursor, cursorAt(h.clock.now() - 10_000));
  h.socket.receive(messageNew(CONV, cursor(h.clock.now(), 1), 'live'));
  assert.deepEqual(h.bodies(), ['live']);
});

test('send carries the files to attach, by their upload ids', async () => {
  const h = harness();
  const socket = await connectFirst(h);
  void h.client.send(CONV, '', { attachments: ['01KUPLOAD'] }).catch(() => {});
  await settle();
  const withFiles = socket.last('sendMessage');
  assert.deepEqual([withFiles.body, withFiles.attachments], ['', ['01KUPLOAD']]);
  h.client.close();
});

test('a reply carries its parentId and alsoInConversation, and a resend after a lost socket writes them again', async () => {
  const h = harness();
  const first = await connectFirst(h);
  const PARENT = '01KPARENTMESSAGE0000000000';
  const sent = h.client.send(CONV, 'in the thread', { parentId: PARENT, alsoInConversation: true, clientMessageId: 'r-1' });
  void h.client.send(CONV, 'thread only', { parentId: PARENT, alsoInConversation: false }).catch(() => {});
  await settle();
  const written = first.last('sendMessage');
  assert.deepEqual([written.parentId, written.alsoInConversation], [PARENT, true]);

  const again = await reconnect(h);
  const rewritten = again.last('sendMessage');
  assert.deepEqual(
    [rewritten.clientMessageId, rewritten.parentId, rewritten.alsoInConversation],
    ['r-1', PARENT, true],
    'the same reply, written again',
  );
  const stored = message(CONV, cursor(h.clock.now(), 1), 'in the thread', { parentId: PARENT, alsoInConversation: true });
  await ack(again, 'sendMessage', { message: stored, cursor: null });
  assert.deepEqual(await sent, stored);
  const threadOnly = again.last('sendMessage');
  assert.deepEqual(
    [threadOnly.body, threadOnly.parentId, 'alsoInConversation' in threadOnly],
    ['thread only', PARENT, false],
    'false is not written (the server takes its absence as false)',
  );
  h.client.close();
});

test('send resolves with the stored message; the ack cursor counts as processed', async () => {
  const h = harness();
  const socket = await connectFirst(h);
  const sent = h.client.send(CONV, 'hello');
  await settle();
  const frame = socket.last('sendMessage');
  assert.equal(frame.conversationId, CONV);
  assert.equal(frame.body, 'hello');
  assert.equal('attachments' in frame, false, 'no files, no field');
  assert.match(frame.clientMessageId, /^[0-9a-f-]{32,36}$/);
  const c = cursor(h.clock.now(), 1);
  const stored = message(CONV, c, 'hello', { senderId: 'me', clientMessageId: frame.clientMessageId });
  await ack(socket, 'sendMessage', { message: stored, cursor: c });
  assert.deepEqual(await sent, stored);
  assert.equal(h.client.lastCursor, c);
  assert.equal(h.client.pendingRequests, 0);

  // The message's own event, in a later sync, is not news to this client.
  await reconnect(h, { syncWith: [messageNew(CONV, c, 'hello', { clientMessageId: frame.clientMessageId })] });
  assert.deepEqual(h.bodies(), []);
});

test('no ack in time and no pong to the ping that follows: the socket is given up, and the send is written again with the same clientMessageId', async () => {
  const h = harness({ ackTimeoutMs: 1000, probeTimeoutMs: 300 });
  const first = await connectFirst(h);
  const sent = h.client.send(CONV, 'hello', { clientMessageId: 'c-1' });
  await settle();
  const written = first.last('sendMessage');
  await h.clock.advance(999);
  assert.equal(first.actions('ping').length, 0);
  await h.clock.advance(1);
  assert.equal(first.actions('ping').length, 1, 'the socket is checked before it is given up');
  assert.equal(first.closedWith, undefined);
  await h.clock.advance(300);
  assert.equal(first.closedWith.code, 4000, 'no pong: closed by the client');
  assert.equal(h.client.state, 'disconnected');

  await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  const second = h.socket;
  second.open();
  await settle();
  assert.equal(second.actions('sendMessage').length, 0, 'not before the resume sync is done');
  await answerSync(second);
  const again = second.last('sendMessage');
  assert.equal(again.clientMessageId, 'c-1');
  assert.equal(again.body, 'hello');
  assert.notEqual(again.requestId, written.requestId);
  const stored = message(CONV, cursor(h.clock.now(), 1), 'hello', { clientMessageId: 'c-1' });
  await ack(second, 'sendMessage', { message: stored, cursor: null });
  assert.deepEqual(await sent, stored);
});

test('a lost ack whose message comes back in the resume sync resolves the send, once, without news', async () => {
  const h = harness();
  const first = await connectFirst(h);
  const sent = h.client.send(CONV, 'hello', { clientMessageId: 'c-2' });
  await settle();
  assert.equal(first.actions('sendMessage').length, 1);
  const c = cursor(h.clock.now(), 1);
  const second = await reconnect(h, {
    syncWith: [messageNew(CONV, c, 'hello', { clientMessageId: 'c-2', senderId: 'me' })],
  });
  assert.equal((await sent).id, c);
  assert.equal(second.actions('sendMessage').length, 0, 'stored already: not written again');
  assert.deepEqual(h.bodies(), []);
});

test('rate limited: written again later with the same id; sends to one conversation keep their order', async () => {
  const h = harness();
  const socket = await connectFirst(h);
  const one = h.client.send(CONV, 'one');
  const two = h.client.send(CONV, 'two');
  const elsewhere = h.client.send(OTHER, 'elsewhere');
  await settle();
  assert.deepEqual(
    socket.actions('sendMessage').map((f) => f.body),
    ['one', 'elsewhere'],
    '"two" waits for "one"',
  );
  const [oneFrame, elsewhereFrame] = socket.actions('sendMessage');
  socket.receive({ type: 'error', requestId: oneFrame.requestId, code: 'rate_limited', message: 'slow down' });
  await settle();
  assert.deepEqual(
    socket.actions('sendMessage').map((f) => f.body),
    ['one', 'elsewhere'],
    'nothing overtakes "one"',
  );
  await h.clock.advance(50);
  const retried = socket.last('sendMessage');
  assert.equal(retried.body, 'one');
  assert.equal(retried.clientMessageId, oneFrame.clientMessageId);
  await ack(socket, 'sendMessage', {
    message: message(CONV, cursor(h.clock.now(), 1), 'one'),
    cursor: cursor(h.clock.now(), 1),
  });
  assert.equal(socket.last('sendMessage').body, 'two');
  await ack(socket, 'sendMessage', {
    message: message(CONV, cursor(h.clock.now(), 2), 'two'),
    cursor: cursor(h.clock.now(), 2),
  });
  socket.receive({
    type: 'ack',
    requestId: elsewhereFrame.requestId,
    message: message(OTHER, cursor(h.clock.now(), 3), 'elsewhere'),
    cursor: null,
  });
  assert.deepEqual([(await one).body, (await two).body, (await elsewhere).body], ['one', 'two', 'elsewhere']);
});

test('unavailable: any action is written again after a backoff, three times at most', async () => {
  const h = harness();
  const socket = await connectFirst(h);
  const edited = h.client.editMessage(CONV, 'm1', 'new text');
  await settle();
  const first = socket.last('editMessage');
  socket.receive({ type: 'error', requestId: first.requestId, code: 'unavailable', message: 'busy' });
  await settle();
  assert.equal(socket.actions('editMessage').length, 1, 'not at once');
  await h.clock.advance(1000);
  assert.equal(socket.actions('editMessage').length, 2, 'again after the backoff');
  await ack(socket, 'editMessage', { message: message(CONV, 'm1', 'new text'), cursor: cursor(h.clock.now(), 5) });
  assert.equal((await edited).message.body, 'new text');

  const read = assert.rejects(h.client.markRead(CONV, 'm1'), (e) => e instanceof MissiveError && e.code === 'unavailable');
  for (let answered = 0; answered < 4; answered++) {
    await settle();
    socket.receive({ type: 'error', requestId: socket.last('markRead').requestId, code: 'unavailable', message: 'busy' });
    await h.clock.advance(1000);
  }
  await read;
  assert.equal(socket.actions('markRead').length, 4, 'the first and three retries');
});

test('quota_exceeded: the send rejects at once with quota and retryAfter, is not written again, and the next one goes on', async () => {
  const h = harness();
  const socket = await connectFirst(h);
  const refused = h.client.send(CONV, 'one too many');
  refused.catch(() => {}); // asserted below
  const next = h.client.send(CONV, 'next');
  await settle();
  const frame = socket.last('sendMessage');
  socket.receive({
    type: 'error',
    requestId: frame.requestId,
    code: 'quota_exceeded',
    message: "the tenant's quota (messagesPerMinute) is used up",
    quota: 'messagesPerMinute',
    retryAfter: 17,
  });
  await assert.rejects(refused, (e) => {
    assert.ok(e instanceof MissiveError);
    assert.deepEqual([e.code, e.quota, e.retryAfter, e.status], ['quota_exceeded', 'messagesPerMinute', 17, undefined]);
    return true;
  });
  await settle();
  assert.equal(socket.last('sendMessage').body, 'next', 'the next send of the conversation no longer waits for it');
  await ack(socket, 'sendMessage', { message: message(CONV, cursor(h.clock.now(), 1), 'next'), cursor: null });
  assert.equal((await next).body, 'next');
  assert.equal(h.client.pendingRequests, 0);
  // Unlike rate_limited, nothing waits to be written again, however long the window lasts.
  await h.clock.advance(120_000);
  assert.deepEqual(socket.actions('sendMessage').map((f) => f.body), ['one too many', 'next']);

  // A stray refusal (no requestId) reported on `error` keeps its details too.
  socket.receive({ type: 'error', code: 'quota_exceeded', message: 'used up', quota: 'messagesPerMinute', retryAfter: 3 });
  assert.deepEqual(h.errors.map((e) => [e.code, e.quota, e.retryAfter]), [['quota_exceeded', 'messagesPerMinute', 3]]);
});

test('a refused request rejects with the server code; other actions resolve with their acks', async () => {
  const h = harness();
  const socket = await connectFirst(h);
  const refused = h.client.send(CONV, 'x');
  await settle();
  socket.receive({
    type: 'error',
    requestId: socket.last('sendMessage').requestId,
    code: 'not_found',
    message: 'conversation not found',
  });
  await assert.rejects(
    refused,
    (e) => e instanceof MissiveError && e.code === 'not_found' && e.message === 'conversation not found',
  );

  // A moderation refusal says why: the reason comes with the code.
  const moderated = h.client.send(CONV, 'call me: 06 12 34 56 78');
  await settle();
  socket.receive({
    type: 'error',
    requestId: socket.last('sendMessage').requestId,
    code: 'moderated',
    message: 'phone numbers are not allowed here',
    reason: 'phone',
  });
  await assert.rejects(moderated, (e) => e instanceof MissiveError && e.code === 'moderated' && e.reason === 'phone');

  const edited = h.client.editMessage(CONV, 'm1', 'new text');
  await settle();
  assert.deepEqual(
    (({ action, conversationId, messageId, body }) => ({ action, conversationId, messageId, body }))(
      socket.last('editMessage'),
    ),
    { action: 'editMessage', conversationId: CONV, messageId: 'm1', body: 'new text' },
  );
  await ack(socket, 'editMessage', { message: message(CONV, 'm1', 'new text'), cursor: cursor(h.clock.now(), 5) });
  assert.equal((await edited).message.body, 'new text');

  const read = h.client.markRead(CONV, 'm1');
  await settle();
  const readState = { conversationId: CONV, userId: 'me', lastReadMessageId: 'm1', lastReadAt: 'now', unreadCount: 0 };
  await ack(socket, 'markRead', { read: readState, cursor: null });
  assert.deepEqual(await read, { read: readState, cursor: null });

  const deleted = h.client.deleteMessage(CONV, 'm1');
  await settle();
  await ack(socket, 'deleteMessage', { message: message(CONV, 'm1', null), cursor: null });
  assert.equal((await deleted).message.body, null);

  const typing = h.client.typing(CONV, 'start');
  await settle();
  assert.equal(socket.last('typing').state, 'start');
  await ack(socket, 'typing', { delivered: false });
  assert.deepEqual(await typing, { delivered: false });
});

test('typing needs a connection and is never repeated after a drop', async () => {
  const h = harness();
  await assert.rejects(h.client.typing(CONV, 'start'), (e) => e.code === 'not_connected');
  const socket = await connectFirst(h);
  const typing = h.client.typing(CONV, 'start');
  await settle();
  socket.drop();
  await assert.rejects(typing, (e) => e.code === 'disconnected');
});

test('pings: an idle socket pings before the idle limit; a missing pong means a dead socket', async () => {
  const h = harness({ pingIntervalMs: 1000, ackTimeoutMs: 500 });
  const socket = await connectFirst(h);
  await h.clock.advance(999);
  assert.equal(socket.actions('ping').length, 0);
  await h.clock.advance(1);
  assert.equal(socket.actions('ping').length, 1);
  socket.receive({ type: 'pong', requestId: socket.last('ping').requestId });

  // Any frame sent resets the idle clock: the next ping is an interval after it.
  await h.clock.advance(400);
  h.client.markRead(CONV, 'm1');
  await settle();
  await ack(socket, 'markRead', { read: {}, cursor: null });
  await h.clock.advance(999);
  assert.equal(socket.actions('ping').length, 1);
  await h.clock.advance(1);
  assert.equal(socket.actions('ping').length, 2);

  await h.clock.advance(500); // no pong
  assert.equal(socket.closedWith.code, 4000);
  assert.equal(h.client.state, 'disconnected');
});

test('rotation: the successor opens and syncs while the current socket serves, then the old one closes; the state never changes', async () => {
  // A draw of 0: no jitter, the rotation comes at rotateAfterMs itself (as in the next two tests).
  const h = harness({ rotateAfterMs: 10_000, random: () => 0 });
  const t = h.clock.now();
  const c = (ms) => cursor(t, ms);
  const old = await connectFirst(h);
  await h.clock.advance(10_000);
  assert.equal(h.sockets.length, 2);
  const successor = h.socket;
  assert.equal(successor.token, 'token-2');
  assert.equal(old.closedWith, undefined);

  old.receive(messageNew(CONV, c(10_001), 'one'));
  successor.open();
  await settle();
  assert.ok(successor.last('sync'), 'the successor catches up first');
  old.receive(messageNew(CONV, c(10_002), 'two'));
  successor.receive(messageNew(CONV, c(10_002), 'two'));
  await answerSync(successor, [messageNew(CONV, c(10_001), 'one')]);
  assert.deepEqual(old.closedWith, { code: 1000, reason: 'rotated' });
  assert.deepEqual(h.bodies(), ['one', 'two']);
  assert.deepEqual(h.states, ['connecting', 'connected'], 'seamless: no state change');

  h.client.send(CONV, 'after');
  await settle();
  assert.equal(successor.last('sendMessage').body, 'after');
  assert.equal(old.actions('sendMessage').length, 0);
});

test('rotation: the old socket finishes its unanswered requests before it closes', async () => {
  const h = harness({ rotateAfterMs: 10_000, ackTimeoutMs: 60_000, random: () => 0 });
  const old = await connectFirst(h);
  await h.clock.advance(9_000);
  const pending = h.client.send(CONV, 'in flight');
  await settle();
  await h.clock.advance(1_000);
  const successor = h.socket;
  successor.open();
  await settle();
  await answerSync(successor);
  assert.equal(old.closedWith, undefined, 'draining');
  const next = h.client.send(OTHER, 'new');
  await settle();
  assert.equal(successor.last('sendMessage').body, 'new');
  await ack(old, 'sendMessage', { message: message(CONV, cursor(h.clock.now(), 1), 'in flight'), cursor: null });
  assert.equal((await pending).body, 'in flight');
  assert.deepEqual(old.closedWith, { code: 1000, reason: 'rotated' });
  await ack(successor, 'sendMessage', { message: message(OTHER, cursor(h.clock.now(), 2), 'new'), cursor: null });
  assert.equal((await next).body, 'new');
});

test('rotation: what the old socket leaves unanswered moves to the new one with the same clientMessageId', async () => {
  const h = harness({ rotateAfterMs: 10_000, ackTimeoutMs: 2_000, random: () => 0 });
  const old = await connectFirst(h);
  await h.clock.advance(9_500);
  const pending = h.client.send(CONV, 'stuck', { clientMessageId: 'c-9' });
  await settle();
  await h.clock.advance(500);
  const successor = h.socket;
  successor.open();
  await settle();
  await answerSync(successor);
  await h.clock.advance(2_000);
  assert.equal(old.closedWith?.code, 4000);
  const again = successor.last('sendMessage');
  assert.equal(again.clientMessageId, 'c-9');
  await ack(successor, 'sendMessage', {
    message: message(CONV, cursor(h.clock.now(), 1), 'stuck', { clientMessageId: 'c-9' }),
    cursor: null,
  });
  assert.equal((await pending).clientMessageId, 'c-9');
  assert.deepEqual(h.states, ['connecting', 'connected']);
});

test('rotation is jittered: sockets opened at the same instant rotate at different moments, all in the last fifth before rotateAfterMs', async () => {
  // Twenty clients connected together (after a deploy or an outage), one seeded random source.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rotateAfterMs = 100_000;
  const rotatedAfter = [];
  for (let i = 0; i < 20; i++) {
    const h = harness({ rotateAfterMs, random });
    const opened = h.clock.now();
    await connectFirst(h);
    const pending = h.clock.pendingDelays();
    assert.equal(pending.length, 1, 'the only timer left is the rotation');
    const [due] = pending;
    await h.clock.advance(due - 1);
    assert.equal(h.sockets.length, 1, `client ${i}: no successor before its moment`);
    await h.clock.advance(1);
    assert.equal(h.sockets.length, 2, `client ${i}: the successor opens at its moment`);
    rotatedAfter.push(h.clock.now() - opened);
    h.client.close();
  }
  for (const ms of rotatedAfter) {
    assert.ok(ms > 0.8 * rotateAfterMs && ms <= rotateAfterMs, `${ms} ms within (80 000, 100 000]`);
  }
  assert.ok(new Set(rotatedAfter).size >= 15, `spread, not together: ${rotatedAfter.join(', ')}`);
  assert.ok(Math.max(...rotatedAfter) - Math.min(...rotatedAfter) >= 10_000, 'over at least half the window');
});

test('settle sync: a second sync after connecting brings an event published during the handshake', async () => {
  const h = harness({ settleSyncMs: 3_000 });
  const first = await connectFirst(h);
  first.drop();
  await settle();
  await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  h.socket.open();
  await settle();
  await answerSync(h.socket);
  assert.equal(h.socket.actions('sync').length, 1);
  await h.clock.advance(3_000);
  assert.equal(h.socket.actions('sync').length, 2);
  assert.equal(h.socket.last('sync').since, h.client.resumeCursor);
  await answerSync(h.socket, [messageNew(CONV, cursor(h.clock.now(), -1), 'missed')]);
  assert.deepEqual(h.bodies(), ['missed']);
  assert.equal(h.client.state, 'connected');
});

test('close rejects every pending request with `closed`', async () => {
  const h = harness();
  const queued = h.client.send(CONV, 'never sent');
  h.client.close();
  await assert.rejects(queued, (e) => e instanceof MissiveError && e.code === 'closed');
  await assert.rejects(h.client.send(CONV, 'after'), (e) => e.code === 'closed');
  assert.equal(h.sockets.length, 0);
});

test('a listener that throws is reported, and the other listeners still get the event', async () => {
  const h = harness();
  const seen = [];
  h.client.on('message.new', () => {
    throw new Error('app bug');
  });
  h.client.on('message.new', (event) => seen.push(event.message.body));
  const socket = await connectFirst(h);
  socket.receive(messageNew(CONV, cursor(h.clock.now(), 1), 'hi'));
  assert.deepEqual(seen, ['hi']);
  assert.equal(h.errors[0].code, 'listener_error');
});

test('typed listeners: each event type on its own channel, ephemeral signals from one socket only', async () => {
  const h = harness();
  const typing = [];
  const reads = [];
  h.client.on('typing', (e) => typing.push(e.userId));
  h.client.on('read', (e, info) => reads.push([e.messageId, info.late]));
  const socket = await connectFirst(h);
  socket.receive({
    type: 'typing',
    conversationId: CONV,
    userId: 'bob',
    name: 'Bob',
    state: 'start',
    expiresInMs: 6000,
  });
  socket.receive({
    type: 'read',
    conversationId: CONV,
    userId: 'bob',
    messageId: 'm1',
    readAt: 'now',
    cursor: cursor(h.clock.now(), 1),
  });
  assert.deepEqual(typing, ['bob']);
  assert.deepEqual(reads, [['m1', false]]);
});

test('large groups: read.summary is a cursor event on its own channel, held while syncing and delivered once', async () => {
  const h = harness();
  const t = h.clock.now();
  const c = (ms) => cursor(t, ms);
  const readSummary = (cur, reads) => ({
    type: 'read.summary',
    conversationId: CONV,
    reads: reads.map(([userId, lastReadMessageId]) => ({ userId, lastReadMessageId, lastReadAt: 'now' })),
    cursor: cur,
  });
  const summaries = [];
  const reads = [];
  h.client.on('read.summary', (e, info) => summaries.push([e.cursor, e.reads.map((r) => r.userId), info.late]));
  h.client.on('read', (e) => reads.push(e));
  const first = await connectFirst(h);
  first.receive(
    readSummary(c(1), [
      ['bob', 'm1'],
      ['ann', 'm1'],
    ]),
  );
  assert.deepEqual(summaries, [[c(1), ['bob', 'ann'], false]]);
  assert.equal(h.client.lastCursor, c(1), 'its cursor counts as processed');

  first.drop();
  await settle();
  await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  const second = h.socket;
  second.open();
  await settle();
  second.receive(readSummary(c(3), [['cat', 'm3']]));
  assert.equal(summaries.length, 1, 'held while syncing');
  // The sync repeats what was seen live and what was pushed during it.
  await answerSync(second, [
    readSummary(c(1), [
      ['bob', 'm1'],
      ['ann', 'm1'],
    ]),
    readSummary(c(2), [['bob', 'm2']]),
    readSummary(c(3), [['cat', 'm3']]),
  ]);
  second.receive(readSummary(c(3), [['cat', 'm3']])); // a queue worker's redelivery: same cursor
  assert.deepEqual(summaries, [
    [c(1), ['bob', 'ann'], false],
    [c(2), ['bob'], false],
    [c(3), ['cat'], false],
  ]);
  assert.deepEqual(
    h.events.map((e) => [e.event.type, e.event.cursor]),
    [
      ['read.summary', c(1)],
      ['read.summary', c(2)],
      ['read.summary', c(3)],
    ],
    'on `event` too',
  );
  assert.equal(reads.length, 0, 'not on `read`');
  assert.equal(h.client.lastCursor, c(3));
});

test('large groups: typing.summary is an ephemeral signal on its own channel, from one socket only', async () => {
  const h = harness({ rotateAfterMs: 10_000, random: () => 0 });
  const typingSummary = (...userIds) => ({
    type: 'typing.summary',
    conversationId: CONV,
    typing: userIds.map((userId) => ({ userId, name: userId.toUpperCase(), expiresInMs: 6000 })),
  });
  const summaries = [];
  const typing = [];
  h.client.on('typing.summary', (e) => summaries.push(e.typing.map((u) => u.userId)));
  h.client.on('typing', (e) => typing.push(e));
  const old = await connectFirst(h);
  old.receive(typingSummary('ann'));
  assert.deepEqual(summaries, [['ann']]);
  assert.equal(h.events.at(-1).event.type, 'typing.summary', 'on `event` too');
  assert.equal(h.client.lastCursor, null, 'no cursor: nothing to resume from');

  // A rotation: while the successor syncs, the current socket alone speaks for the client.
  await h.clock.advance(10_000);
  const successor = h.socket;
  assert.notEqual(successor, old);
  successor.open();
  await settle();
  successor.receive(typingSummary('ann', 'bob'));
  old.receive(typingSummary('bob'));
  await answerSync(successor);
  successor.receive(typingSummary());
  assert.deepEqual(summaries, [['ann'], ['bob'], []]);
  assert.equal(typing.length, 0, 'not on `typing`');
});

test('a socket that does not open in time is given up, and another is tried', async () => {
  const h = harness({ connectTimeoutMs: 2_000 });
  h.client.connect();
  await settle();
  const stuck = h.socket;
  await h.clock.advance(2_000);
  assert.equal(stuck.closedWith.code, 4000);
  assert.equal(h.client.state, 'disconnected');
  await h.clock.advance(h.stateChanges.at(-1).retryInMs);
  assert.equal(h.sockets.length, 2);
});

test('without a WebSocket implementation the client says so at construction', () => {
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = undefined;
  try {
    assert.throws(
      () => new MissiveClient({ url: 'ws://x/ws', getToken: () => 't' }),
      (e) => e instanceof MissiveError && e.code === 'unsupported',
    );
  } finally {
    globalThis.WebSocket = saved;
  }
});
