import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isPending, useConversation, useThread } from '../dist/index.js';
import { fakeServices } from './support/fakes.js';
import { ids, message, messageEvent, messageId, numbers, page, reply, threadPage } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

const live = (client, type, msg) => step(() => client.emit(type, messageEvent(type, msg), { late: false }));
const summary = (m) => [m.replyCount, m.lastReplyAt, m.replyUserIds];
/** The thread of message 10 as the server answers it, counting the replies given. */
const root = (replies = []) =>
  message(10, replies.length ? { replyCount: replies.length, lastReplyAt: replies.at(-1).createdAt, replyUserIds: ['bob'] } : {});

describe('useThread', () => {
  test('its first message and replies, fetched once for every component that shows it and kept after; older replies paged back', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => ({ panel: useThread('c1', messageId(10)), badge: useThread('c1', messageId(10)) }), {
      client,
      rest,
      clock,
      strict: true,
    });
    assert.equal(view.result.current.panel.status, 'loading');
    assert.deepEqual(rest.callsOf('listReplies'), [['c1', messageId(10), {}]], 'one read for two components, under StrictMode');
    const replies = [reply(12, 10), reply(13, 10)];
    await step(() => rest.take('listReplies').resolve(threadPage(root(replies), replies, { olderCursor: messageId(12) })));
    const { panel, badge } = view.result.current;
    assert.equal(panel.status, 'ready');
    assert.equal(panel.parent.id, messageId(10));
    assert.equal(panel.parent.replyCount, 2);
    assert.deepEqual(ids(panel.messages), numbers(12, 13));
    assert.equal(badge.messages, panel.messages, 'one state, not two copies');
    assert.equal(panel.hasOlder, true);

    await step(() => {
      void view.result.current.panel.loadOlder();
    });
    const older = rest.take('listReplies');
    assert.deepEqual(older.args, ['c1', messageId(10), { before: messageId(12) }]);
    await step(() => older.resolve(threadPage(root(replies), [reply(11, 10)])));
    assert.deepEqual(ids(view.result.current.panel.messages), numbers(11, 12, 13));
    assert.equal(view.result.current.panel.hasOlder, false);

    // Closed and opened again: shown at once, nothing read.
    await view.hide();
    await view.show();
    assert.equal(rest.callsOf('listReplies').length, 2);
    assert.deepEqual(ids(view.result.current.panel.messages), numbers(11, 12, 13));
  });

  test('live replies of the thread join it once and in order, its first message’s summary counting each once; others are left out', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useThread('c1', messageId(10)), { client, rest, clock });
    const first = reply(12, 10);
    await step(() => rest.take('listReplies').resolve(threadPage(root([first]), [first])));

    const carols = reply(14, 10, { senderId: 'carol' });
    await live(client, 'message.new', carols);
    assert.deepEqual(ids(view.result.current.messages), numbers(12, 14));
    assert.deepEqual(summary(view.result.current.parent), [2, carols.createdAt, ['bob', 'carol']]);

    // Heard again (a resume sync), and the page's own reply replayed: nothing counted twice.
    await live(client, 'message.new', carols);
    await live(client, 'message.new', first);
    assert.deepEqual(ids(view.result.current.messages), numbers(12, 14));
    assert.equal(view.result.current.parent.replyCount, 2);

    // Another thread's reply, a message of the conversation: not this thread's.
    await live(client, 'message.new', reply(15, 20));
    await live(client, 'message.new', message(16));
    assert.deepEqual(ids(view.result.current.messages), numbers(12, 14));

    // Edits of a reply and of the first message show; the summary stays with the first message.
    await live(client, 'message.updated', reply(14, 10, { senderId: 'carol', body: 'corrigé', editedAt: '2026-11-24T10:00:00.000Z' }));
    await live(client, 'message.updated', message(10, { body: 'Planning revu', editedAt: '2026-11-24T10:00:01.000Z' }));
    assert.equal(view.result.current.messages[1].body, 'corrigé');
    assert.equal(view.result.current.parent.body, 'Planning revu');
    assert.equal(view.result.current.parent.replyCount, 2);
    await step(() =>
      client.emit(
        'reaction.updated',
        { type: 'reaction.updated', conversationId: 'c1', messageId: messageId(14), userId: 'bob', emoji: '👍', on: true, reactions: [{ emoji: '👍', count: 1, me: false }], cursor: 'r1' },
        { late: false },
      ),
    );
    assert.deepEqual(view.result.current.messages[1].reactions, [{ emoji: '👍', count: 1, me: false }]);
  });

  test('asked by one of its replies: replies heard before the first page are kept once the page names the first message', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useThread('c1', messageId(12)), { client, rest, clock });
    assert.deepEqual(rest.callsOf('listReplies'), [['c1', messageId(12), {}]]);
    const late = reply(14, 10, { senderId: 'carol' });
    await live(client, 'message.new', late);
    await live(client, 'message.new', reply(15, 20));
    const first = reply(12, 10);
    await step(() => rest.take('listReplies').resolve(threadPage(root([first]), [first])));
    assert.equal(view.result.current.parent.id, messageId(10));
    assert.deepEqual(ids(view.result.current.messages), numbers(12, 14));
    assert.deepEqual(summary(view.result.current.parent), [2, late.createdAt, ['bob', 'carol']]);
  });

  test('send: a pending reply at once, the stored reply on the ack; a failed one kept for retry (same clientMessageId, same thread) or discard', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useThread('c1', messageId(10)), { client, rest, clock });
    await step(() => rest.take('listReplies').resolve(threadPage(root(), [])));

    let sent;
    await step(() => {
      sent = view.result.current.send('Je prends samedi', { alsoInConversation: true });
    });
    const [shown] = view.result.current.messages;
    assert.deepEqual(
      [isPending(shown), shown.pending, shown.body, shown.parentId, shown.alsoInConversation],
      [true, 'sending', 'Je prends samedi', messageId(10), true],
    );
    const request = client.take('sendMessage');
    assert.deepEqual(
      [request.args.parentId, request.args.alsoInConversation, request.args.body],
      [messageId(10), true, 'Je prends samedi'],
    );
    const stored = reply(11, 10, { senderId: 'me', body: 'Je prends samedi', alsoInConversation: true, clientMessageId: request.args.clientMessageId });
    await step(() => request.resolve(stored));
    assert.deepEqual(await sent, stored);
    assert.deepEqual(ids(view.result.current.messages), numbers(11));
    assert.deepEqual(summary(view.result.current.parent), [1, stored.createdAt, ['me']]);

    let failing;
    await step(() => {
      failing = view.result.current.send('dimanche aussi');
      failing.catch(() => {}); // asserted below
    });
    const refused = client.take('sendMessage');
    assert.equal('alsoInConversation' in refused.args, false, 'in the thread only by default');
    await step(() => refused.reject(new Error('offline')));
    await assert.rejects(failing, /offline/);
    const failed = view.result.current.messages[1];
    assert.equal(failed.pending, 'failed');

    let retried;
    await step(() => {
      retried = view.result.current.retry(failed.clientMessageId);
      retried.catch(() => {}); // asserted below
    });
    const again = client.take('sendMessage');
    assert.deepEqual([again.args.clientMessageId, again.args.parentId], [failed.clientMessageId, messageId(10)]);
    await step(() => again.reject(new Error('still offline')));
    await assert.rejects(retried, /still offline/);
    await step(() => view.result.current.discard(failed.clientMessageId));
    assert.deepEqual(ids(view.result.current.messages), numbers(11));
  });

  test('no thread open (a null id): idle, and a send rejects', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useThread('c1', null), { client, rest, clock });
    assert.equal(view.result.current.status, 'idle');
    assert.equal(rest.callsOf('listReplies').length, 0);
    await assert.rejects(view.result.current.send('x'), /no thread/);
  });
});

describe('useConversation and replies', () => {
  test('a reply in its thread only counts in its first message and does not show; one also in the conversation shows', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(10), message(11)])));

    const threadOnly = reply(12, 10, { senderId: 'carol' });
    await live(client, 'message.new', threadOnly);
    await live(client, 'message.new', threadOnly); // heard twice: counted once
    await live(client, 'message.updated', reply(12, 10, { senderId: 'carol', body: 'edited', editedAt: '2026-11-24T10:00:00.000Z' }));
    assert.deepEqual(ids(view.result.current.messages), numbers(10, 11), 'a thread-only reply is not in the conversation');
    // Nor once edited through the conversation's own `edit` (the thread shows it).
    let edited;
    await step(() => {
      edited = view.result.current.edit(messageId(12), 'corrigé');
    });
    const edit = client.take('editMessage');
    const answered = reply(12, 10, { senderId: 'carol', body: 'corrigé', editedAt: '2026-11-24T10:00:00.500Z' });
    await step(() => edit.resolve({ message: answered, cursor: 'e1' }));
    assert.deepEqual(await edited, answered);
    assert.deepEqual(ids(view.result.current.messages), numbers(10, 11));
    assert.deepEqual(summary(view.result.current.messages[0]), [1, threadOnly.createdAt, ['carol']]);
    assert.equal(view.result.current.readBy.carol?.lastReadMessageId ?? null, null, 'read markers are for the conversation’s messages');

    const shownToo = reply(13, 10, { alsoInConversation: true });
    await live(client, 'message.new', shownToo);
    assert.deepEqual(ids(view.result.current.messages), numbers(10, 11, 13));
    assert.deepEqual(summary(view.result.current.messages[0]), [2, shownToo.createdAt, ['bob', 'carol']]);

    // An edit of the first message carries no summary: the one held stays.
    await live(client, 'message.updated', message(10, { body: 'Planning revu', editedAt: '2026-11-24T10:00:01.000Z' }));
    assert.equal(view.result.current.messages[0].body, 'Planning revu');
    assert.equal(view.result.current.messages[0].replyCount, 2);
  });

  test('a reply sent from the thread reaches the conversation: counted in its first message, and shown only when also in the conversation', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => ({ conversation: useConversation('c1'), thread: useThread('c1', messageId(10)) }), {
      client,
      rest,
      clock,
    });
    await step(() => rest.take('listMessages').resolve(page([message(10)])));
    await step(() => rest.take('listReplies').resolve(threadPage(root(), [])));

    const answer = async (n, body, options) => {
      let sent;
      await step(() => {
        sent = view.result.current.thread.send(body, options);
      });
      const request = client.take('sendMessage');
      const fields = { senderId: 'me', body, clientMessageId: request.args.clientMessageId };
      await step(() => request.resolve(reply(n, 10, options ? { ...fields, ...options } : fields)));
      return sent;
    };
    await answer(11, 'dans le fil');
    assert.deepEqual(ids(view.result.current.conversation.messages), numbers(10));
    assert.equal(view.result.current.conversation.messages[0].replyCount, 1);
    await answer(12, 'et pour tous', { alsoInConversation: true });
    assert.deepEqual(ids(view.result.current.conversation.messages), numbers(10, 12));
    assert.equal(view.result.current.conversation.messages[0].replyCount, 2);
    assert.equal(view.result.current.thread.parent.replyCount, 2);
    assert.deepEqual(ids(view.result.current.thread.messages), numbers(11, 12));
  });
});
