// Replies and threads against the real local runtime: a reply sent over the socket and over
// REST, a reply to a reply joining its thread's first message, the thread's pages, and the
// errors of a bad parent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveError } from '../../dist/index.js';
import { client, createTenant, rest, startServer, tempDataDir, waitFor } from '../support/server.js';

/** Asserts that `promise` rejects with a MissiveError of this code (and status, over REST). */
async function rejectsWith(promise, code, status) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof MissiveError, `a MissiveError, not ${e}`);
    assert.deepEqual({ code: e.code, status: e.status }, { code, status });
    return true;
  });
}

test('replies: over the socket and REST, a reply to a reply joins the first message, pages of the thread, bad parents refused', async (t) => {
  const server = await startServer({ dataDir: tempDataDir(t) });
  t.after(() => server.kill());
  await createTenant(server);
  const [aliceRest, bobRest] = [rest(server, 'alice'), rest(server, 'bob')];
  await Promise.all([aliceRest.me(), bobRest.me(), rest(server, 'carol').me()]);
  const { value: group } = await aliceRest.createConversation({ kind: 'group', title: 'Garde', memberIds: ['bob'] });
  const alice = client(server, 'alice');
  const bob = client(server, 'bob');
  t.after(() => [alice, bob].forEach((c) => c.client.close()));
  await Promise.all([alice.client.connect(), bob.client.connect()]);
  const heardByBob = [];
  bob.client.on('event', (event) => {
    if (event.type === 'message.new') heardByBob.push(event.message);
  });

  const root = await alice.client.send(group.id, 'Qui prend la garde samedi ?');

  // Over the socket, in the thread only: the members still hear it, as a reply.
  const threadOnly = await alice.client.send(group.id, 'Je peux le matin', { parentId: root.id });
  assert.deepEqual([threadOnly.parentId, threadOnly.alsoInConversation], [root.id, undefined]);
  await waitFor(() => heardByBob.some((m) => m.id === threadOnly.id), { what: "bob's message.new of the reply" });
  assert.equal(heardByBob.find((m) => m.id === threadOnly.id).parentId, root.id);

  // Over REST, to that reply, also in the conversation: it joins the first message's thread.
  const { value: answer, created } = await bobRest.postMessage(group.id, 'Moi l’après-midi', {
    parentId: threadOnly.id,
    alsoInConversation: true,
  });
  assert.deepEqual([created, answer.parentId, answer.alsoInConversation], [true, root.id, true]);

  // The history: the first message with its thread's summary, and the reply shown there too.
  const history = await bobRest.listMessages(group.id);
  assert.deepEqual(
    history.messages.map((m) => m.id),
    [root.id, answer.id],
    'the thread-only reply is not in the history',
  );
  const [summary] = history.messages;
  assert.deepEqual(
    [summary.replyCount, summary.replyUserIds, summary.lastReplyAt],
    [2, ['alice', 'bob'], answer.createdAt],
  );

  // The thread's pages, by its first message or any reply; the newest replies first, older behind a cursor.
  const page = await bobRest.listReplies(group.id, root.id);
  assert.equal(page.parent.id, root.id);
  assert.equal(page.parent.replyCount, 2);
  assert.deepEqual(
    page.messages.map((m) => m.id),
    [threadOnly.id, answer.id],
  );
  assert.equal((await bobRest.listReplies(group.id, answer.id)).parent.id, root.id, 'named by a reply');
  const newest = await bobRest.listReplies(group.id, root.id, { limit: 1 });
  assert.deepEqual(
    newest.messages.map((m) => m.id),
    [answer.id],
  );
  const older = await bobRest.listReplies(group.id, root.id, { before: newest.olderCursor });
  assert.deepEqual(
    [older.messages.map((m) => m.id), older.olderCursor],
    [[threadOnly.id], null],
  );

  // Bad parents: another conversation's message, a malformed id, alsoInConversation alone, a
  // deleted message — over REST and over the socket.
  const { value: elsewhere } = await aliceRest.createConversation({ kind: 'direct', userId: 'carol' });
  const { value: other } = await aliceRest.postMessage(elsewhere.id, 'Salut Carol');
  await rejectsWith(bobRest.postMessage(group.id, 'x', { parentId: other.id }), 'not_found', 404);
  await rejectsWith(alice.client.send(group.id, 'x', { parentId: other.id }), 'not_found', undefined);
  await rejectsWith(bobRest.postMessage(group.id, 'x', { parentId: 'not a ULID' }), 'invalid_request', 400);
  await rejectsWith(bobRest.postMessage(group.id, 'x', { alsoInConversation: true }), 'invalid_request', 400);
  const gone = await alice.client.send(group.id, 'oups');
  await alice.client.deleteMessage(group.id, gone.id);
  await rejectsWith(alice.client.send(group.id, 'x', { parentId: gone.id }), 'conflict', undefined);
  await rejectsWith(bobRest.listReplies(group.id, other.id), 'not_found', 404);
  assert.equal((await bobRest.listReplies(group.id, root.id)).parent.replyCount, 2, 'nothing stored');
});
