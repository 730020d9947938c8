import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { useConversations } from '../dist/index.js';
import { FakeClient, FakeRest } from './support/fakes.js';
import { conversationDetails, listItem, message, messageEvent, messageId } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

const order = (view) => view.result.current.conversations.map((c) => c.id);
const item = (view, id) => view.result.current.conversations.find((c) => c.id === id);
const live = (client, type, event) => step(() => client.emit(type, event, { late: false }));

async function loaded(conversations, { nextCursor = null, query } = {}) {
  const client = new FakeClient();
  const rest = new FakeRest();
  const view = await renderHooks((q) => useConversations(q), { client, rest, props: query });
  await step(() => rest.take('listConversations').resolve({ conversations, nextCursor }));
  return { client, rest, view };
}

describe('useConversations', () => {
  test('a live message moves its conversation to the top with its preview and one more unread', async () => {
    const { client, view } = await loaded([listItem('c1', 30), listItem('c2', 20), listItem('c3', 10)]);
    assert.equal(view.result.current.status, 'ready');
    assert.deepEqual(order(view), ['c1', 'c2', 'c3']);

    await live(
      client,
      'message.new',
      messageEvent('message.new', message(40, { conversationId: 'c3', body: 'Du neuf' })),
    );
    assert.deepEqual(order(view), ['c3', 'c1', 'c2']);
    const c3 = item(view, 'c3');
    assert.equal(c3.lastMessage.body, 'Du neuf');
    assert.equal(c3.lastMessage.senderName, 'Bob');
    assert.equal(c3.unreadCount, 1);
    assert.equal(c3.messageCount, 11);
    assert.equal(c3.activity, messageId(40));

    // The caller's own message from another device: on top, nothing unread.
    await live(
      client,
      'message.new',
      messageEvent('message.new', message(41, { conversationId: 'c2', senderId: 'me' })),
    );
    assert.deepEqual(order(view), ['c2', 'c3', 'c1']);
    assert.equal(item(view, 'c2').unreadCount, 0);
  });

  test('a reply in its thread only changes nothing in the list; one also in the conversation is news like any message', async () => {
    const { client, view } = await loaded([listItem('c1', 30), listItem('c2', 20)]);
    const reply = (n, fields) => message(n, { conversationId: 'c2', parentId: messageId(20), ...fields });
    await live(client, 'message.new', messageEvent('message.new', reply(40, { body: 'dans le fil' })));
    assert.deepEqual(order(view), ['c1', 'c2']);
    assert.deepEqual([item(view, 'c2').unreadCount, item(view, 'c2').lastMessage.id], [0, messageId(20)]);
    await live(client, 'message.new', messageEvent('message.new', reply(41, { body: 'pour tous', alsoInConversation: true })));
    assert.deepEqual(order(view), ['c2', 'c1']);
    assert.deepEqual([item(view, 'c2').unreadCount, item(view, 'c2').lastMessage.body], [1, 'pour tous']);
  });

  test('the preview follows an edit or a deletion of the last message', async () => {
    const { client, view } = await loaded([listItem('c1', 30)]);
    await live(
      client,
      'message.updated',
      messageEvent('message.updated', message(30, { conversationId: 'c1', body: 'edited' })),
    );
    assert.equal(item(view, 'c1').lastMessage.body, 'edited');
    await live(
      client,
      'message.deleted',
      messageEvent(
        'message.deleted',
        message(30, { conversationId: 'c1', body: null, deletedAt: '2026-11-24T10:00:00Z' }),
      ),
    );
    assert.equal(item(view, 'c1').lastMessage.deleted, true);
    assert.equal(item(view, 'c1').lastMessage.body, '');
  });

  test('a read of the caller’s on another device clears the unread count; another member’s does not', async () => {
    const { client, view } = await loaded([listItem('c1', 30, { unreadCount: 3, lastReadMessageId: messageId(27) })]);
    const read = (userId, n) =>
      live(client, 'read', {
        type: 'read',
        conversationId: 'c1',
        userId,
        messageId: messageId(n),
        readAt: '2026-11-24T10:00:00Z',
        cursor: 'x',
      });
    await read('bob', 30);
    assert.equal(item(view, 'c1').unreadCount, 3);
    await read('me', 30);
    assert.equal(item(view, 'c1').unreadCount, 0);
    assert.equal(item(view, 'c1').lastReadMessageId, messageId(30));
  });

  test('a large group’s read.summary: the caller’s own entry lowers the unread count; the others’ do not', async () => {
    const { client, rest, view } = await loaded([
      listItem('c1', 30, { kind: 'group', unreadCount: 3, lastReadMessageId: messageId(27) }),
      listItem('c2', 20, { kind: 'group', unreadCount: 2, lastReadMessageId: messageId(18) }),
    ]);
    const summary = (conversationId, reads) =>
      live(client, 'read.summary', {
        type: 'read.summary',
        conversationId,
        reads: reads.map(([userId, n]) => ({
          userId,
          lastReadMessageId: messageId(n),
          lastReadAt: '2026-11-24T10:00:00Z',
        })),
        cursor: 'x',
      });
    await summary('c1', [['bob', 30]]);
    assert.equal(item(view, 'c1').unreadCount, 3);
    assert.equal(item(view, 'c1').lastReadMessageId, messageId(27));

    // Short of the last message, the summary carries no count: it stays until the next page.
    await summary('c1', [
      ['bob', 30],
      ['me', 28],
    ]);
    assert.equal(item(view, 'c1').lastReadMessageId, messageId(28));
    assert.equal(item(view, 'c1').unreadCount, 3);
    await summary('c1', [
      ['ann', 29],
      ['me', 30],
    ]);
    assert.equal(item(view, 'c1').lastReadMessageId, messageId(30));
    assert.equal(item(view, 'c1').unreadCount, 0);

    // A marker never goes back; a conversation the list does not hold is not looked for.
    await summary('c2', [['me', 17]]);
    assert.equal(item(view, 'c2').lastReadMessageId, messageId(18));
    assert.equal(item(view, 'c2').unreadCount, 2);
    await summary('c9', [['me', 40]]);
    assert.equal(rest.callsOf('listConversations').length, 1);
  });

  test('a message in a conversation the list does not hold fetches the first page again', async () => {
    const { client, rest, view } = await loaded([listItem('c1', 30)], { nextCursor: 'page-2' });
    await live(client, 'message.new', messageEvent('message.new', message(50, { conversationId: 'c9' })));
    const refetch = rest.take('listConversations');
    assert.deepEqual(refetch.args, [{}]);
    await step(() =>
      refetch.resolve({
        conversations: [listItem('c9', 50, { unreadCount: 4 }), listItem('c1', 30)],
        nextCursor: 'page-2b',
      }),
    );
    assert.deepEqual(order(view), ['c9', 'c1']);
    assert.equal(item(view, 'c9').unreadCount, 4, 'the server’s count, not one more: the page holds the message');
    assert.equal(view.result.current.hasMore, true);
  });

  test('events heard while the first page is in flight are replayed onto it, never counted twice', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => useConversations(), { client, rest });
    const first = rest.take('listConversations');
    // Message 31 is in the page (read after it was stored); 32 is not.
    await live(client, 'message.new', messageEvent('message.new', message(31, { conversationId: 'c1' })));
    await live(client, 'message.new', messageEvent('message.new', message(32, { conversationId: 'c2' })));
    await step(() =>
      first.resolve({ conversations: [listItem('c1', 31, { unreadCount: 1 }), listItem('c2', 20)], nextCursor: null }),
    );
    assert.deepEqual(order(view), ['c2', 'c1']);
    assert.equal(item(view, 'c1').unreadCount, 1);
    assert.equal(item(view, 'c2').unreadCount, 1);
    assert.equal(item(view, 'c2').lastMessage.id, messageId(32));
    assert.equal(rest.pending.length, 0, 'no second fetch: the page held both conversations');
  });

  test('a conversation outside the filter is looked for once, then left out', async () => {
    const { client, rest, view } = await loaded([listItem('s1', 30, { kind: 'storefront' })], {
      query: { kind: 'storefront' },
    });
    assert.deepEqual(rest.callsOf('listConversations')[0], [{ kind: 'storefront' }]);
    await live(client, 'message.new', messageEvent('message.new', message(40, { conversationId: 'd1' })));
    await step(() =>
      rest
        .take('listConversations')
        .resolve({ conversations: [listItem('s1', 30, { kind: 'storefront' })], nextCursor: null }),
    );
    assert.deepEqual(order(view), ['s1']);
    assert.equal(rest.pending.length, 0);
    // A new direct conversation is not even looked for.
    await live(client, 'conversation.created', {
      type: 'conversation.created',
      conversation: conversationDetails('d2'),
      cursor: 'x',
    });
    assert.equal(rest.pending.length, 0);
  });

  test('the archived listing: a new message unarchives a conversation, which leaves it for the main list', async () => {
    const { client, rest, view } = await loaded([listItem('a1', 30, { archived: true }), listItem('a2', 20, { archived: true })], {
      query: { archived: true },
    });
    assert.deepEqual(rest.callsOf('listConversations')[0], [{ archived: true }]);
    // A message the page already holds is not news; a newer one brings a1 back to the main list.
    await live(client, 'message.new', messageEvent('message.new', message(30, { conversationId: 'a1' })));
    assert.deepEqual(order(view), ['a1', 'a2']);
    await live(client, 'message.new', messageEvent('message.new', message(40, { conversationId: 'a1' })));
    assert.deepEqual(order(view), ['a2']);
    // Conversations it does not hold are not archived ones: nothing to look for.
    await live(client, 'message.new', messageEvent('message.new', message(41, { conversationId: 'c9' })));
    await live(client, 'conversation.created', { type: 'conversation.created', conversation: conversationDetails('c8'), cursor: 'x' });
    assert.equal(rest.pending.length, 0);
  });

  test('an archived conversation’s next message brings it back into the main list', async () => {
    // a1 was archived: the main list's page leaves it out.
    const { client, rest, view } = await loaded([listItem('c1', 30)]);
    await live(client, 'message.new', messageEvent('message.new', message(40, { conversationId: 'a1' })));
    assert.deepEqual(rest.callsOf('listConversations').at(-1), [{}]);
    await step(() =>
      rest.take('listConversations').resolve({ conversations: [listItem('a1', 40, { unreadCount: 1 }), listItem('c1', 30)], nextCursor: null }),
    );
    assert.deepEqual(order(view), ['a1', 'c1']);
    assert.equal(item(view, 'a1').unreadCount, 1, 'the page counted message 40; its replay does not count it again');
  });

  test('renames and member changes update the entry; being removed drops it', async () => {
    const { client, view } = await loaded([
      listItem('g1', 30, { kind: 'group', title: 'Avant' }),
      listItem('g2', 20, { kind: 'group' }),
    ]);
    const group = (id, members, fields) => conversationDetails(id, members, { kind: 'group', ...fields });
    await live(client, 'conversation.updated', {
      type: 'conversation.updated',
      conversation: group('g1', ['me', 'bob', 'cat'], { title: 'Après' }),
      change: { change: 'renamed', actorId: 'bob', title: 'Après' },
      cursor: 'x',
    });
    assert.equal(item(view, 'g1').title, 'Après');
    assert.deepEqual(
      item(view, 'g1').participants.map((p) => p.userId),
      ['me', 'bob', 'cat'],
    );
    await live(client, 'conversation.updated', {
      type: 'conversation.updated',
      conversation: group('g2', ['bob']),
      change: { change: 'removed', actorId: 'bob', userIds: ['me'] },
      cursor: 'y',
    });
    assert.deepEqual(order(view), ['g1']);
  });

  test('an erased person stays a direct conversation’s participant, as no one, when it is updated', async () => {
    const { client, view } = await loaded([listItem('d1', 30)]);
    await live(client, 'conversation.updated', {
      type: 'conversation.updated',
      conversation: conversationDetails('d1', ['me'], {
        participants: [
          { userId: 'me', name: 'me' },
          { userId: '~erased', name: '' },
        ],
      }),
      change: { change: 'pinned', actorId: 'me', messageId: message(30).id },
      cursor: 'x',
    });
    assert.deepEqual(item(view, 'd1').participants, [
      { userId: 'me', name: 'me' },
      { userId: '~erased', name: '' },
    ]);
  });

  test('loadMore appends the next page; the client’s reload starts over from the first', async () => {
    const { client, rest, view } = await loaded([listItem('c1', 30)], { nextCursor: 'p2' });
    assert.equal(view.result.current.hasMore, true);
    await step(() => {
      void view.result.current.loadMore();
    });
    assert.equal(view.result.current.loadingMore, true);
    const more = rest.take('listConversations');
    assert.deepEqual(more.args, [{ cursor: 'p2' }]);
    await step(() => more.resolve({ conversations: [listItem('c2', 10)], nextCursor: null }));
    assert.deepEqual(order(view), ['c1', 'c2']);
    assert.equal(view.result.current.hasMore, false);

    await step(() => client.emit('reload', { reason: 'sync_expired', since: 'old', message: 'expired' }));
    await step(() => rest.take('listConversations').resolve({ conversations: [listItem('c3', 60)], nextCursor: 'p2' }));
    assert.deepEqual(order(view), ['c3']);
    assert.equal(view.result.current.hasMore, true);
  });

  test('a failed first page is an error status', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => useConversations(), { client, rest });
    const failure = new Error('network_error');
    await step(() => rest.take('listConversations').reject(failure));
    assert.equal(view.result.current.status, 'error');
    assert.equal(view.result.current.error, failure);
    await step(() => view.result.current.reload());
    await step(() => rest.take('listConversations').resolve({ conversations: [listItem('c1', 1)], nextCursor: null }));
    assert.equal(view.result.current.status, 'ready');
  });

  test('unmounting stops listening', async () => {
    const { client, view } = await loaded([listItem('c1', 30)]);
    assert.ok(client.listenerCount('message.new') > 0);
    await view.unmount();
    assert.equal(client.listenerCount('message.new'), 0);
  });
});
