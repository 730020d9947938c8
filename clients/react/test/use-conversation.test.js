import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { MissiveError } from '@missive/client';
import { after, describe, test } from 'node:test';
import { useConversation, useConversations, isPending } from '../dist/index.js';
import { fakeServices } from './support/fakes.js';
import { conversationDetails, ids, listItem, message, messageEvent, messageId, numbers, page } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

describe('useConversation: history', () => {
  test('pages back through REST, oldest first, until nothing older is left', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    assert.equal(view.result.current.status, 'loading');

    await step(() => rest.take('listMessages').resolve(page([message(4), message(5)], { olderCursor: messageId(4) })));
    assert.equal(view.result.current.status, 'ready');
    assert.deepEqual(ids(view.result.current.messages), numbers(4, 5));
    assert.equal(view.result.current.hasOlder, true);

    let older;
    await step(() => {
      void view.result.current.loadOlder();
      older = rest.take('listMessages');
    });
    assert.deepEqual(older.args, ['c1', { before: messageId(4) }]);
    assert.equal(view.result.current.loadingOlder, true);
    await step(() => older.resolve(page([message(2), message(3)], { olderCursor: null })));
    assert.deepEqual(ids(view.result.current.messages), numbers(2, 3, 4, 5));
    assert.equal(view.result.current.hasOlder, false);
    assert.equal(view.result.current.loadingOlder, false);
  });

  test('a live message that a page also holds appears once, in id order', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });

    // Messages 6 and 7 arrive live while the first page is in flight; the page, read on the
    // server after message 6 was stored, holds it too.
    await step(() => client.emit('message.new', messageEvent('message.new', message(7)), { late: false }));
    await step(() => client.emit('message.new', messageEvent('message.new', message(6)), { late: true }));
    assert.deepEqual(ids(view.result.current.messages), numbers(6, 7));
    await step(() =>
      rest.take('listMessages').resolve(page([message(4), message(5), message(6)], { olderCursor: messageId(4) })),
    );
    assert.deepEqual(ids(view.result.current.messages), numbers(4, 5, 6, 7));

    // The same message again, live then in an older page that overlaps: still once.
    await step(() => client.emit('message.new', messageEvent('message.new', message(7)), { late: false }));
    let older;
    await step(() => {
      void view.result.current.loadOlder();
      older = rest.take('listMessages');
    });
    await step(() => older.resolve(page([message(3), message(4), message(5)], { olderCursor: messageId(3) })));
    assert.deepEqual(ids(view.result.current.messages), numbers(3, 4, 5, 6, 7));
  });

  test('an edit or deletion is not undone by an older copy of the message in a page', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    const edited = message(5, { body: 'edited', editedAt: '2026-11-24T10:00:00.000Z' });
    const deleted = message(4, { body: null, deletedAt: '2026-11-24T10:00:01.000Z' });
    await step(() => client.emit('message.updated', messageEvent('message.updated', edited), { late: false }));
    await step(() => client.emit('message.deleted', messageEvent('message.deleted', deleted), { late: false }));
    await step(() => rest.take('listMessages').resolve(page([message(4), message(5)])));
    const [m4, m5] = view.result.current.messages;
    assert.equal(m4.body, null);
    assert.equal(m4.deletedAt, deleted.deletedAt);
    assert.equal(m5.body, 'edited');
  });

  test('its sender erased, a message becomes a tombstone of no one, even one they had deleted', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    const deletedByBob = message(4, { body: null, deletedAt: '2026-11-24T10:00:00.000Z' });
    await step(() => rest.take('listMessages').resolve(page([deletedByBob, message(5)])));
    // As the server makes them: no sender, no text, the time of a deletion before kept.
    const ofNoOne = (m) => ({
      ...m,
      senderId: '~erased',
      senderName: '',
      body: null,
      deletedAt: m.deletedAt ?? '2026-11-24T11:00:00.000Z',
    });
    const erased = (m) => client.emit('message.deleted', messageEvent('message.deleted', ofNoOne(m)), { late: false });
    await step(() => erased(message(5)));
    await step(() => erased(deletedByBob));
    const [m4, m5] = view.result.current.messages;
    assert.deepEqual([m4.senderId, m4.senderName, m4.deletedAt], ['~erased', '', deletedByBob.deletedAt]);
    assert.deepEqual([m5.senderId, m5.senderName, m5.body], ['~erased', '', null]);
    // Final: an older copy, from a page read before, does not give it back its sender.
    const held = view.result.current.messages;
    await step(() => client.emit('message.deleted', messageEvent('message.deleted', deletedByBob), { late: true }));
    assert.equal(view.result.current.messages, held);
  });

  test('a photo’s thumbnail, made after the message, shows; an older copy without it does not hide it', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    const photo = { id: 'u1', name: 'vase.png', contentType: 'image/png', size: 300 };
    const sent = message(6, { body: null, attachments: [photo] });
    await step(() => client.emit('message.new', messageEvent('message.new', sent), { late: false }));
    const made = { width: 1200, height: 900, thumbnail: true };
    const shown = { ...sent, attachments: [{ ...photo, ...made }] };
    await step(() => client.emit('message.updated', messageEvent('message.updated', shown), { late: false }));
    assert.deepEqual(view.result.current.messages[0].attachments[0], { ...photo, ...made });
    await step(() => rest.take('listMessages').resolve(page([sent])));
    assert.deepEqual(view.result.current.messages[0].attachments[0], { ...photo, ...made });
  });

  test('events of other conversations are ignored', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(1)])));
    await step(() =>
      client.emit('message.new', messageEvent('message.new', message(2, { conversationId: 'c2' })), { late: false }),
    );
    assert.deepEqual(ids(view.result.current.messages), numbers(1));
  });

  test('switching conversation starts over, and a late page of the previous one is dropped', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks((id) => useConversation(id), { client, rest, clock, props: 'c1' });
    const first = rest.take('listMessages');
    await view.rerender('c2');
    assert.equal(view.result.current.conversationId, 'c2');
    await step(() => first.resolve(page([message(1)])));
    assert.deepEqual(view.result.current.messages, []);
    await step(() => rest.take('listMessages').resolve(page([message(9, { conversationId: 'c2' })])));
    assert.deepEqual(ids(view.result.current.messages), numbers(9));
  });

  test('after a reload (events lost), a newest page with a gap before it replaces what was held', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(1), message(2)])));
    assert.equal(view.result.current.hasOlder, false);

    const reload = () => step(() => client.emit('reload', { reason: 'sync_expired', since: 'x', message: 'expired' }));
    // The newest page overlaps what is held: kept, merged.
    await reload();
    await step(() => rest.take('listMessages').resolve(page([message(2), message(3)], { olderCursor: messageId(2) })));
    assert.deepEqual(ids(view.result.current.messages), numbers(1, 2, 3));
    assert.equal(view.result.current.hasOlder, false);

    // Messages 4..19 were missed: what is held cannot be joined to the page; paging back starts from it.
    await reload();
    await step(() =>
      rest.take('listMessages').resolve(page([message(20), message(21)], { olderCursor: messageId(20) })),
    );
    assert.deepEqual(ids(view.result.current.messages), numbers(20, 21));
    assert.equal(view.result.current.hasOlder, true);
  });

  test('messages older than the first page, replayed by the first sync, are left to paging back', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    for (const n of [1, 2, 5, 6]) {
      await step(() => client.emit('message.new', messageEvent('message.new', message(n)), { late: false }));
    }
    await step(() => rest.take('listMessages').resolve(page([message(4), message(5)], { olderCursor: messageId(4) })));
    assert.deepEqual(ids(view.result.current.messages), numbers(4, 5, 6));
    assert.equal(view.result.current.hasOlder, true);
    // The rest of that replay, after the page: still left to paging back.
    await step(() => client.emit('message.new', messageEvent('message.new', message(3)), { late: false }));
    await step(() => client.emit('message.new', messageEvent('message.new', message(7)), { late: false }));
    assert.deepEqual(ids(view.result.current.messages), numbers(4, 5, 6, 7));
  });

  test('null is idle: nothing is loaded', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation(null), { client, rest, clock });
    assert.equal(view.result.current.status, 'idle');
    assert.equal(rest.calls.length, 0);
  });
});

describe('useConversation: sending', () => {
  test('a send shows at once as pending and is replaced by the stored message on the ack', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(1)])));

    let sent;
    await step(() => {
      sent = view.result.current.send('Bonjour');
    });
    const request = client.take('sendMessage');
    assert.equal(request.args.body, 'Bonjour');
    const [, pending] = view.result.current.messages;
    assert.ok(isPending(pending));
    assert.equal(pending.pending, 'sending');
    assert.equal(pending.body, 'Bonjour');
    assert.equal(pending.senderId, 'me');
    assert.equal(pending.clientMessageId, request.args.clientMessageId);

    // Someone else's message arrives before the ack: stored messages stay ordered by id and
    // the pending one stays last, where the newest belongs.
    await step(() => client.emit('message.new', messageEvent('message.new', message(2)), { late: false }));
    assert.deepEqual(
      view.result.current.messages.map((m) => m.body),
      ['message 1', 'message 2', 'Bonjour'],
    );

    const stored = message(3, {
      senderId: 'me',
      senderName: 'Me',
      body: 'Bonjour',
      clientMessageId: request.args.clientMessageId,
    });
    await step(() => request.resolve(stored));
    assert.deepEqual(await sent, stored);
    assert.deepEqual(ids(view.result.current.messages), numbers(1, 2, 3));
    assert.equal(view.result.current.messages.some(isPending), false);
    // The server moved the sender's read marker to their message.
    assert.equal(view.result.current.readBy.me.lastReadMessageId, messageId(3));
  });

  test('a page that brings the sent message before the ack replaces the pending entry too', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    let sent;
    await step(() => {
      sent = view.result.current.send('vite');
    });
    const request = client.take('sendMessage');
    const stored = message(2, { senderId: 'me', body: 'vite', clientMessageId: request.args.clientMessageId });
    await step(() => rest.take('listMessages').resolve(page([message(1), stored])));
    assert.deepEqual(ids(view.result.current.messages), numbers(1, 2));
    await step(() => request.resolve(stored));
    await sent;
    assert.deepEqual(ids(view.result.current.messages), numbers(1, 2));
  });

  test('a failed send stays, marked failed, and a retry uses the same clientMessageId', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([])));
    let sent;
    await step(() => {
      sent = view.result.current.send('perdu ?');
      sent.catch(() => {}); // asserted below
    });
    const first = client.take('sendMessage');
    const failure = new Error('forbidden');
    await step(() => first.reject(failure));
    await assert.rejects(sent, failure);
    const [failed] = view.result.current.messages;
    assert.equal(failed.pending, 'failed');
    assert.equal(failed.error, failure);

    let retried;
    await step(() => {
      retried = view.result.current.retry(failed.clientMessageId);
    });
    assert.equal(view.result.current.messages[0].pending, 'sending');
    const second = client.take('sendMessage');
    assert.equal(second.args.clientMessageId, failed.clientMessageId);
    const stored = message(1, { senderId: 'me', body: 'perdu ?', clientMessageId: failed.clientMessageId });
    await step(() => second.resolve(stored));
    await retried;
    assert.deepEqual(view.result.current.messages, [stored]);
  });

  test('a send refused by the quota ends failed, with when to try again; nothing sends it again but the user', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([])));
    let sent;
    await step(() => {
      sent = view.result.current.send('encore un');
      sent.catch(() => {}); // asserted below
    });
    const refusal = new MissiveError('quota_exceeded', "the tenant's quota (messagesPerMinute) is used up", {
      quota: 'messagesPerMinute',
      retryAfter: 17,
    });
    await step(() => client.take('sendMessage').reject(refusal));
    await assert.rejects(sent, refusal);
    const [failed] = view.result.current.messages;
    assert.deepEqual([failed.pending, failed.error.quota, failed.error.retryAfter], ['failed', 'messagesPerMinute', 17]);
    await step(() => clock.advance(60_000));
    assert.deepEqual(client.requests, [], 'not sent again on its own');
    assert.equal(view.result.current.messages[0].pending, 'failed');
  });

  test('files are uploaded first, their progress shown, and a retry uploads only those not stored yet', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([])));
    const photo = new File([new Uint8Array(300)], 'vase.png', { type: 'image/png' });
    const quote = new File([new Uint8Array(90)], 'devis.pdf', { type: 'application/pdf' });
    let sent;
    await step(() => {
      sent = view.result.current.send('', [photo, quote]);
      sent.catch(() => {}); // asserted below
    });
    const [pending] = view.result.current.messages;
    assert.equal(pending.body, null, 'files need no text');
    assert.deepEqual(
      pending.attachments.map((a) => [a.name, a.contentType, a.size]),
      [
        ['vase.png', 'image/png', 300],
        ['devis.pdf', 'application/pdf', 90],
      ],
    );
    const first = rest.take('upload');
    assert.deepEqual([first.args[0], first.args[1], first.args[2].name], ['c1', photo, 'vase.png']);
    await step(() => first.args[2].onProgress(120, 300));
    assert.deepEqual(
      view.result.current.messages[0].files.map((f) => [f.sent, f.total]),
      [
        [120, 300],
        [0, 90],
      ],
    );
    await step(() => first.resolve('01KPHOTO'));
    const failure = new Error('upload_failed');
    await step(() => rest.take('upload').reject(failure));
    await assert.rejects(sent, failure);
    assert.equal(view.result.current.messages[0].pending, 'failed');

    let retried;
    await step(() => {
      retried = view.result.current.retry(view.result.current.messages[0].clientMessageId);
    });
    const again = rest.take('upload');
    assert.equal(again.args[1], quote, 'the photo is stored already: only the quote is uploaded again');
    await step(() => again.resolve('01KQUOTE'));
    const sending = client.take('sendMessage');
    assert.deepEqual(sending.args.attachments, ['01KPHOTO', '01KQUOTE']);
    const stored = message(1, { senderId: 'me', body: null, clientMessageId: sending.args.clientMessageId });
    await step(() => sending.resolve(stored));
    await retried;
    assert.deepEqual(view.result.current.messages, [stored]);
  });

  test('edit and remove replace the message with the answered one', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(1, { senderId: 'me' })])));
    await step(() => {
      void view.result.current.edit(messageId(1), 'corrigé');
    });
    const edit = client.take('editMessage');
    assert.deepEqual(edit.args, { conversationId: 'c1', messageId: messageId(1), body: 'corrigé' });
    await step(() =>
      edit.resolve({
        message: message(1, { senderId: 'me', body: 'corrigé', editedAt: '2026-11-24T10:00:00.000Z' }),
        cursor: 'c',
      }),
    );
    assert.equal(view.result.current.messages[0].body, 'corrigé');

    await step(() => {
      void view.result.current.remove(messageId(1));
    });
    await step(() =>
      client.take('deleteMessage').resolve({
        message: message(1, { senderId: 'me', body: null, deletedAt: '2026-11-24T10:00:01.000Z' }),
        cursor: 'c',
      }),
    );
    assert.equal(view.result.current.messages[0].body, null);
  });

  test('edit and remove show at once, and the message shows as it was again when refused', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    const thumbs = (count) => [{ emoji: '👍', count, me: false }];
    const mine = message(1, { senderId: 'me', body: 'premier jet', reactions: thumbs(1) });
    await step(() => rest.take('listMessages').resolve(page([mine, message(2)])));
    const first = () => view.result.current.messages[0];

    let edited;
    await step(() => {
      edited = view.result.current.edit(messageId(1), 'corrigé').catch((error) => error);
    });
    assert.equal(first().body, 'corrigé', 'at once');
    assert.equal(first().editedAt, new Date(clock.now()).toISOString());
    // Someone reacts meanwhile: the refusal takes the edit off, not their reaction.
    await step(() =>
      client.emit(
        'reaction.updated',
        { type: 'reaction.updated', conversationId: 'c1', messageId: messageId(1), userId: 'bob', emoji: '👍', on: true, reactions: thumbs(2), cursor: 'r' },
        { late: false },
      ),
    );
    await step(() => client.take('editMessage').reject(new Error('edit_window_closed')));
    assert.equal((await edited).message, 'edit_window_closed');
    assert.deepEqual([first().body, first().editedAt, first().reactions], ['premier jet', null, thumbs(2)]);

    let removed;
    await step(() => {
      removed = view.result.current.remove(messageId(1)).catch((error) => error);
    });
    assert.deepEqual([first().body, first().deletedAt, first().reactions], [null, new Date(clock.now()).toISOString(), undefined]);
    await step(() => client.take('deleteMessage').reject(new Error('forbidden')));
    assert.equal((await removed).message, 'forbidden');
    assert.deepEqual([first().body, first().deletedAt, first().reactions], ['premier jet', null, thumbs(2)]);

    // Accepted: the server's version replaces what was shown (its time, though earlier than the client's clock).
    let accepted;
    await step(() => {
      accepted = view.result.current.edit(messageId(1), 'v2');
    });
    const answered = message(1, { senderId: 'me', body: 'v2', editedAt: '2026-11-24T09:59:59.000Z' });
    await step(() => client.take('editMessage').resolve({ message: answered, cursor: 'c' }));
    await accepted;
    assert.deepEqual([first().body, first().editedAt, first().reactions], ['v2', answered.editedAt, thumbs(2)]);
  });

  test('reactions show at once, follow the counts others change, keep through an edit, and are undone when refused', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    const thumbs = { emoji: '👍', count: 1, me: false };
    await step(() => rest.take('listMessages').resolve(page([message(1, { senderId: 'ann', reactions: [thumbs] })])));
    const reactions = () => view.result.current.messages[0].reactions;
    assert.deepEqual(reactions(), [thumbs], 'a page says them');

    // Mine, shown before the answer, then as answered.
    let reacted;
    await step(() => {
      reacted = view.result.current.react(messageId(1), '👍');
    });
    assert.deepEqual(reactions(), [{ emoji: '👍', count: 2, me: true }], 'at once');
    const asked = client.take('react');
    assert.deepEqual(asked.args, { conversationId: 'c1', messageId: messageId(1), emoji: '👍', on: true });
    await step(() => asked.resolve({ messageId: messageId(1), reactions: [{ emoji: '👍', count: 2, me: true }], cursor: 'c' }));
    await reacted;

    // Someone else's: the counts from the event, mine still mine.
    const event = (userId, emoji, on, counts) => ({
      type: 'reaction.updated',
      conversationId: 'c1',
      messageId: messageId(1),
      userId,
      emoji,
      on,
      reactions: counts,
      cursor: 'c2',
    });
    await step(() =>
      client.emit('reaction.updated', event('cat', '🎉', true, [{ emoji: '👍', count: 2, me: false }, { emoji: '🎉', count: 1, me: false }]), { late: false }),
    );
    assert.deepEqual(reactions(), [{ emoji: '👍', count: 2, me: true }, { emoji: '🎉', count: 1, me: false }]);

    // An edit's message carries none: the held ones stay.
    await step(() =>
      client.emit('message.updated', messageEvent('message.updated', message(1, { senderId: 'ann', body: 'modifié', editedAt: '2026-11-24T10:00:00.000Z' })), { late: false }),
    );
    assert.equal(view.result.current.messages[0].body, 'modifié');
    assert.equal(reactions().length, 2);

    // Refused: put back as it was.
    let refused;
    await step(() => {
      // Caught at once: the refusal comes inside the next step.
      refused = view.result.current.react(messageId(1), '🎉').catch((error) => error);
    });
    assert.deepEqual(reactions()[1], { emoji: '🎉', count: 2, me: true });
    await step(() => client.take('react').reject(new Error('no')));
    assert.equal((await refused).message, 'no');
    assert.deepEqual(reactions(), [{ emoji: '👍', count: 2, me: true }, { emoji: '🎉', count: 1, me: false }]);
  });

  test('the conversation list hears of one’s own send (the client does not report it as an event)', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => ({ list: useConversations(), chat: useConversation('c1') }), {
      client,
      rest,
      clock,
    });
    await step(() =>
      rest.take('listConversations').resolve({
        conversations: [listItem('c2', 5), listItem('c1', 3, { unreadCount: 2, lastReadMessageId: messageId(1) })],
        nextCursor: null,
      }),
    );
    await step(() => rest.take('listMessages').resolve(page([message(1), message(2), message(3)])));
    assert.deepEqual(
      view.result.current.list.conversations.map((c) => c.id),
      ['c2', 'c1'],
    );

    await step(() => {
      void view.result.current.chat.send('me voici');
    });
    const request = client.take('sendMessage');
    const stored = message(6, { senderId: 'me', body: 'me voici', clientMessageId: request.args.clientMessageId });
    await step(() => request.resolve(stored));
    const [top] = view.result.current.list.conversations;
    assert.equal(top.id, 'c1');
    assert.equal(top.lastMessage.body, 'me voici');
    assert.equal(top.unreadCount, 0, 'one’s own message is not unread');
  });
});

describe('useConversation: typing', () => {
  test('who is typing, until stop, their message, or the expiry of the last start', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    const typing = (userId, state, expiresInMs = 6000) =>
      step(() =>
        client.emit('typing', {
          type: 'typing',
          conversationId: 'c1',
          userId,
          name: userId.toUpperCase(),
          state,
          expiresInMs,
        }),
      );

    await typing('ann', 'start');
    await typing('bob', 'start');
    assert.deepEqual(view.result.current.typing, [
      { userId: 'ann', name: 'ANN' },
      { userId: 'bob', name: 'BOB' },
    ]);

    await typing('ann', 'stop');
    assert.deepEqual(
      view.result.current.typing.map((t) => t.userId),
      ['bob'],
    );

    // Bob refreshes his start at 4 s: shown until 4 + 6 s, not 6 s.
    await step(() => clock.advance(4000));
    await typing('bob', 'start');
    await step(() => clock.advance(5999));
    assert.deepEqual(
      view.result.current.typing.map((t) => t.userId),
      ['bob'],
    );
    await step(() => clock.advance(1));
    assert.deepEqual(view.result.current.typing, []);

    // A message from a typist ends their indicator at once.
    await typing('cat', 'start');
    await step(() =>
      client.emit('message.new', messageEvent('message.new', message(1, { senderId: 'cat' })), { late: false }),
    );
    assert.deepEqual(view.result.current.typing, []);
    assert.equal(clock.pendingTimers, 0);
  });

  test('a large group’s typing.summary replaces who is typing: places kept, each with its own expiry, oneself left out', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    const summary = (typers, conversationId = 'c1') =>
      step(() =>
        client.emit('typing.summary', {
          type: 'typing.summary',
          conversationId,
          typing: typers.map(([userId, expiresInMs]) => ({ userId, name: userId.toUpperCase(), expiresInMs })),
        }),
      );
    const shown = () => view.result.current.typing.map((t) => t.userId);

    await summary([
      ['ann', 6000],
      ['bob', 6000],
    ]);
    assert.deepEqual(view.result.current.typing, [
      { userId: 'ann', name: 'ANN' },
      { userId: 'bob', name: 'BOB' },
    ]);

    // Ann stopped; Bob stays where he was, Cat comes after him; the user's own entry is not shown.
    await step(() => clock.advance(1000));
    await summary([
      ['cat', 6000],
      ['me', 6000],
      ['bob', 3000],
    ]);
    assert.deepEqual(shown(), ['bob', 'cat']);
    const before = view.result.current.typing;
    await summary([
      ['bob', 3000],
      ['cat', 6000],
    ]);
    assert.equal(view.result.current.typing, before, 'the same typists: nothing changes');
    await summary([['ann', 6000]], 'c2');
    assert.deepEqual(shown(), ['bob', 'cat'], 'another conversation’s summary is ignored');

    // Each for its own expiresInMs, unless a later summary says otherwise.
    await step(() => clock.advance(2999));
    assert.deepEqual(shown(), ['bob', 'cat']);
    await step(() => clock.advance(1));
    assert.deepEqual(shown(), ['cat']);
    await summary([
      ['ann', 2000],
      ['cat', 6000],
    ]);
    assert.deepEqual(shown(), ['cat', 'ann']);
    await step(() => clock.advance(2000));
    assert.deepEqual(shown(), ['cat'], 'Ann’s own expiry');
    await step(() => clock.advance(3999));
    assert.deepEqual(shown(), ['cat'], 'Cat’s expiry was pushed back by the later summary');

    // An empty summary: nobody is typing any more.
    await summary([]);
    assert.deepEqual(view.result.current.typing, []);
    assert.equal(clock.pendingTimers, 0);
  });

  test('setTyping on every keystroke sends one start, refreshed every 3 s, then stop when idle', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    const keystroke = () => step(() => view.result.current.setTyping(true));
    for (let i = 0; i < 10; i++) {
      await keystroke();
      await step(() => clock.advance(400)); // 10 keys over 4 s
    }
    // Starts at 0 s and at 3.2 s (the first keystroke 3 s or more after the last start).
    assert.deepEqual(
      client.typingSignals.map((s) => [s.state, s.at - client.typingSignals[0].at]),
      [
        ['start', 0],
        ['start', 3200],
      ],
    );
    await step(() => clock.advance(5000));
    assert.deepEqual(client.typingSignals.at(-1).state, 'stop');
    assert.equal(client.typingSignals.length, 3);

    // A send ends typing at once.
    await keystroke();
    await step(() => {
      void view.result.current.send('fini').catch(() => {});
    });
    assert.deepEqual(
      client.typingSignals.slice(-2).map((s) => s.state),
      ['start', 'stop'],
    );
  });
});

describe('useConversation: read markers', () => {
  test('readBy starts from the members, moves forward with read events, never back', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(1), message(2), message(3)])));
    assert.deepEqual(Object.keys(view.result.current.readBy).sort(), ['bob', 'me']);
    const read = (userId, n) =>
      step(() =>
        client.emit(
          'read',
          {
            type: 'read',
            conversationId: 'c1',
            userId,
            messageId: messageId(n),
            readAt: '2026-11-24T10:00:00Z',
            cursor: 'x',
          },
          { late: false },
        ),
      );
    await read('bob', 2);
    assert.equal(view.result.current.readBy.bob.lastReadMessageId, messageId(2));
    await read('bob', 1);
    assert.equal(view.result.current.readBy.bob.lastReadMessageId, messageId(2));
  });

  test('a large group’s read.summary moves each listed marker forward, never back', async () => {
    const { client, rest, clock } = fakeServices();
    rest.answer('getConversation', (id) => conversationDetails(id, ['me', 'bob', 'ann'], { kind: 'group' }));
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(1), message(2), message(3)])));
    const summary = (reads, conversationId = 'c1') =>
      step(() =>
        client.emit(
          'read.summary',
          {
            type: 'read.summary',
            conversationId,
            reads: reads.map(([userId, n]) => ({
              userId,
              lastReadMessageId: messageId(n),
              lastReadAt: `2026-11-24T10:00:0${n}Z`,
            })),
            cursor: 'x',
          },
          { late: false },
        ),
      );
    const marker = (userId) => view.result.current.readBy[userId]?.lastReadMessageId ?? null;

    await summary([
      ['bob', 2],
      ['ann', 3],
      ['me', 3],
    ]);
    assert.deepEqual([marker('bob'), marker('ann'), marker('me')], numbers(2, 3, 3));
    assert.equal(view.result.current.readBy.ann.lastReadAt, '2026-11-24T10:00:03Z');

    // Markers already known, and one behind: nothing moves back.
    const before = view.result.current.readBy;
    await summary([
      ['bob', 1],
      ['ann', 3],
    ]);
    assert.equal(view.result.current.readBy, before);
    await summary([['bob', 3]], 'c2');
    assert.equal(marker('bob'), messageId(2), 'another conversation’s summary is ignored');
    await summary([['bob', 3]]);
    assert.equal(marker('bob'), messageId(3));

    // The user's own entry counts as read: the newest message is not marked again.
    await step(() => view.result.current.markRead());
    assert.equal(client.requests.length, 0);
  });

  test('markRead marks the newest message once, and the list’s unread count follows the ack', async () => {
    const { client, rest, clock } = fakeServices();
    const view = await renderHooks(() => ({ list: useConversations(), chat: useConversation('c1') }), {
      client,
      rest,
      clock,
    });
    await step(() =>
      rest.take('listConversations').resolve({
        conversations: [listItem('c1', 3, { unreadCount: 2, lastReadMessageId: messageId(1) })],
        nextCursor: null,
      }),
    );
    await step(() => rest.take('listMessages').resolve(page([message(1), message(2), message(3)])));
    await step(() => {
      void view.result.current.chat.markRead();
      void view.result.current.chat.markRead(); // in flight already: not sent twice
    });
    const request = client.take('markRead');
    assert.deepEqual(request.args, { conversationId: 'c1', messageId: messageId(3) });
    assert.equal(client.requests.length, 0);
    await step(() =>
      request.resolve({
        read: {
          conversationId: 'c1',
          userId: 'me',
          lastReadMessageId: messageId(3),
          lastReadAt: '2026-11-24T10:00:00Z',
          unreadCount: 0,
        },
        cursor: 'c',
      }),
    );
    assert.equal(view.result.current.chat.readBy.me.lastReadMessageId, messageId(3));
    assert.equal(view.result.current.list.conversations[0].unreadCount, 0);
    await step(() => view.result.current.chat.markRead());
    assert.equal(client.requests.length, 0, 'already read: nothing sent');
  });
});
