import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { useConversation, useUnreadTotal } from '../dist/index.js';
import { FakeClient, FakeClock, FakeRest } from './support/fakes.js';
import { conversationDetails, message, messageEvent, messageId, notification, page } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

const totals = (conversations, messages, notifications) => ({ conversations, messages, notifications });
const pick = ({ conversations, messages, notifications, status }) => ({ conversations, messages, notifications, status });
const live = (client, type, event) => step(() => client.emit(type, event, { late: false }));
/** Requests start at least 5 s apart: the time for the next one to go. */
const later = (clock) => step(() => clock.advance(5_000));
const asked = (rest) => rest.callsOf('unreadTotals').length;

async function loaded(first = totals(2, 5, 1)) {
  const client = new FakeClient();
  const rest = new FakeRest();
  const clock = new FakeClock();
  const view = await renderHooks(() => useUnreadTotal(), { client, rest, clock });
  await step(() => rest.take('unreadTotals').resolve(first));
  return { client, rest, clock, view };
}

describe('useUnreadTotal', () => {
  test('loads the totals on mount', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => useUnreadTotal(), { client, rest });
    assert.deepEqual(pick(view.result.current), { ...totals(0, 0, 0), status: 'loading' });
    await step(() => rest.take('unreadTotals').resolve(totals(2, 5, 1)));
    assert.deepEqual(pick(view.result.current), { ...totals(2, 5, 1), status: 'ready' });
    assert.equal(view.result.current.error, null);
    assert.equal(asked(rest), 1);
  });

  test('each kind of change asks again', async () => {
    const { client, rest, clock, view } = await loaded();
    const changes = [
      ['message.new', messageEvent('message.new', message(1))],
      ['read', { type: 'read', conversationId: 'c1', userId: 'me', messageId: messageId(1), readAt: '2026-11-24T10:00:00Z' }],
      ['read.summary', { type: 'read.summary', conversationId: 'c1', reads: [], cursor: 'x' }],
      ['notification.new', { type: 'notification.new', notification: notification(1), cursor: 'x' }],
      ['conversation.updated', { type: 'conversation.updated', conversation: conversationDetails('c1'), change: { change: 'renamed' } }],
      ['reload', {}],
    ];
    let expected = totals(2, 5, 1);
    for (const [i, [type, event]] of changes.entries()) {
      await live(client, type, event);
      await later(clock);
      expected = totals(1, i, 0);
      await step(() => rest.take('unreadTotals').resolve(expected));
      assert.deepEqual(pick(view.result.current), { ...expected, status: 'ready' }, type);
    }
    assert.equal(asked(rest), 1 + changes.length);
  });

  test('a burst of events makes one request, 5 s after the last; those heard while it is in flight one more', async () => {
    const { client, rest, clock, view } = await loaded();
    for (let n = 1; n <= 5; n++) await live(client, 'message.new', messageEvent('message.new', message(n)));
    assert.equal(asked(rest), 1, 'the first request started less than 5 s ago: the next waits');
    await step(() => clock.advance(4_999));
    assert.equal(asked(rest), 1);
    await step(() => clock.advance(1));
    assert.equal(asked(rest), 2, 'one request for the five messages');
    await live(client, 'notification.new', { type: 'notification.new', notification: notification(1), cursor: 'x' });

    // The answer in flight may predate the later event: one more request, 5 s after it started.
    await step(() => rest.take('unreadTotals').resolve(totals(1, 2, 1)));
    assert.equal(view.result.current.messages, 2);
    assert.equal(asked(rest), 2);
    await later(clock);
    assert.equal(asked(rest), 3);
    await step(() => rest.take('unreadTotals').resolve(totals(1, 5, 2)));
    assert.deepEqual(pick(view.result.current), { ...totals(1, 5, 2), status: 'ready' });
    assert.equal(asked(rest), 3, 'nothing heard since: no more requests');
    assert.equal(rest.pending.length, 0);
  });

  test('one’s own read, echoed by useConversation, asks again', async () => {
    const client = new FakeClient();
    const rest = new FakeRest().answer('getConversation', (id) => conversationDetails(id));
    const clock = new FakeClock();
    const view = await renderHooks(() => ({ total: useUnreadTotal(), chat: useConversation('c1') }), { client, rest, clock });
    await step(() => {
      rest.take('unreadTotals').resolve(totals(1, 2, 0));
      rest.take('listMessages').resolve(page([message(1), message(2)]));
    });
    await step(() => void view.result.current.chat.markRead());
    await step(() =>
      client.take('markRead').resolve({
        read: { conversationId: 'c1', userId: 'me', lastReadMessageId: messageId(2), lastReadAt: '2026-11-24T10:00:00Z', unreadCount: 0 },
        cursor: 'c',
      }),
    );
    await later(clock);
    await step(() => rest.take('unreadTotals').resolve(totals(0, 0, 0)));
    assert.deepEqual(pick(view.result.current.total), { ...totals(0, 0, 0), status: 'ready' });
  });

  test('asks again after a reconnection, not on the first connection', async () => {
    const client = new FakeClient({ state: 'connecting' });
    const rest = new FakeRest();
    const clock = new FakeClock();
    await renderHooks(() => useUnreadTotal(), { client, rest, clock });
    await step(() => client.setState('connected'));
    assert.equal(asked(rest), 1, 'the first connection: the load on mount answers for it');
    await step(() => rest.take('unreadTotals').resolve(totals(0, 0, 0)));
    await step(() => client.setState('disconnected'));
    await step(() => client.setState('connected'));
    await later(clock);
    assert.equal(asked(rest), 2);
  });

  test('a failed first load is an error; a later failure keeps the totals', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const clock = new FakeClock();
    const view = await renderHooks(() => useUnreadTotal(), { client, rest, clock });
    const refused = new Error('unavailable');
    await step(() => rest.take('unreadTotals').reject(refused));
    assert.equal(view.result.current.status, 'error');
    assert.equal(view.result.current.error, refused);
    assert.equal(rest.pending.length, 0, 'no retry loop against a failing server');

    // The next change asks again.
    await live(client, 'message.new', messageEvent('message.new', message(1)));
    await later(clock);
    await step(() => rest.take('unreadTotals').resolve(totals(1, 1, 0)));
    assert.deepEqual(pick(view.result.current), { ...totals(1, 1, 0), status: 'ready' });
    assert.equal(view.result.current.error, null);

    await step(() => view.result.current.refresh());
    await later(clock);
    const again = new Error('network_error');
    await step(() => rest.take('unreadTotals').reject(again));
    assert.deepEqual(pick(view.result.current), { ...totals(1, 1, 0), status: 'ready' });
    assert.equal(view.result.current.error, again);
  });

  test('an answer that comes after unmount is dropped, and nothing more is asked', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => useUnreadTotal(), { client, rest });
    const first = rest.take('unreadTotals');
    await view.unmount();
    assert.equal(client.listenerCount('message.new'), 0);
    await step(() => first.resolve(totals(3, 3, 3)));
    await live(client, 'message.new', messageEvent('message.new', message(1)));
    assert.equal(asked(rest), 1);
  });

  test('under StrictMode: one subscription, one request answered', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => useUnreadTotal(), { client, rest, strict: true });
    assert.equal(client.listenerCount('notification.new'), 1);
    // The first run's request was dropped with its run; the second's lands.
    for (const pending of rest.pending.splice(0)) pending.resolve(totals(1, 4, 0));
    await step(() => {});
    assert.deepEqual(pick(view.result.current), { ...totals(1, 4, 0), status: 'ready' });
  });
});
