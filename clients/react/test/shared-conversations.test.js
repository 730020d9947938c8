import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { useConversation, isPending } from '../dist/index.js';
import { FakeClient, FakeClock, FakeRest } from './support/fakes.js';
import { message, messageEvent, messageId, page } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

/** Conversations whose details answer by themselves; history pages are answered by each test. */
/** `useConversation`, first on `c1`, under a provider that keeps `keep` conversations nobody shows. */
function renderKeeping({ client, rest, clock }, keep) {
  return renderHooks((id) => useConversation(id), {
    client,
    rest,
    clock,
    props: 'c1',
    providerProps: { keepConversations: keep },
  });
}

function setup() {
  const client = new FakeClient();
  const rest = new FakeRest().answer('getConversation', (id) => ({ id, members: [] }));
  const clock = new FakeClock();
  client.clock = clock;
  return { client, rest, clock };
}

const ids = (messages) => messages.map((m) => m.id);
const numbers = (...ns) => ns.map(messageId);
const historyReads = (rest, id) => rest.callsOf('listMessages').filter(([conversationId]) => conversationId === id).length;
const live = (client, n, conversationId = 'c1') =>
  step(() => client.emit('message.new', messageEvent('message.new', message(n, { conversationId })), { late: false }));

describe('the provider’s shared conversations', () => {
  test('a conversation shown by two components is fetched once, and both show the same state', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks(() => ({ thread: useConversation('c1'), preview: useConversation('c1') }), {
      client,
      rest,
      clock,
    });
    assert.equal(historyReads(rest, 'c1'), 1);
    assert.equal(rest.callsOf('getConversation').length, 1);
    await step(() => rest.take('listMessages').resolve(page([message(1)])));
    await live(client, 2);
    await step(() => {
      void view.result.current.thread.send('vu').catch(() => {});
    });
    const { thread, preview } = view.result.current;
    assert.equal(preview.messages, thread.messages, 'one state, not two copies');
    assert.deepEqual(
      preview.messages.map((m) => m.body),
      ['message 1', 'message 2', 'vu'],
    );
    assert.equal(historyReads(rest, 'c1'), 1);
  });

  test('shown again after navigating away: no new fetch, shown at once, with what happened meanwhile', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks((id) => useConversation(id), { client, rest, clock, props: 'c1' });
    await step(() => rest.take('listMessages').resolve(page([message(1), message(2)], { olderCursor: messageId(1) })));

    // Away to another conversation, then to a page without any.
    await view.rerender('c2');
    await step(() => rest.take('listMessages').resolve(page([message(7, { conversationId: 'c2' })])));
    await view.hide();
    // Meanwhile, in c1: a message, and someone typing (not followed while nobody looks).
    await live(client, 3);
    await step(() =>
      client.emit('typing', { type: 'typing', conversationId: 'c1', userId: 'bob', name: 'Bob', state: 'start', expiresInMs: 6000 }),
    );
    assert.equal(clock.pendingTimers, 0, 'no typing timer runs for a conversation nobody shows');

    await view.show('c1');
    assert.equal(historyReads(rest, 'c1'), 1, 'c1 was not fetched again');
    assert.equal(view.result.current.status, 'ready', 'no loading flash');
    assert.deepEqual(ids(view.result.current.messages), numbers(1, 2, 3));
    assert.equal(view.result.current.hasOlder, true, 'paging back goes on from where it was');
    assert.deepEqual(view.result.current.typing, []);
    await view.rerender('c2');
    assert.equal(historyReads(rest, 'c2'), 1);
    assert.deepEqual(ids(view.result.current.messages), numbers(7));
  });

  test('kept within a bound: the least recently shown conversation nobody shows is forgotten, and fetched again', async () => {
    const services = setup();
    const { rest } = services;
    const view = await renderKeeping(services, 1);
    const open = async (id) => {
      await view.rerender(id);
      if (rest.pending.some((p) => p.method === 'listMessages'))
        await step(() => rest.take('listMessages').resolve(page([message(1, { conversationId: id })])));
    };
    await open('c1');
    await open('c2'); // c1 kept (one left unshown)
    await open('c3'); // c2 kept, c1 forgotten
    await open('c2');
    assert.equal(historyReads(rest, 'c2'), 1, 'c2 was kept');
    await open('c1');
    assert.equal(historyReads(rest, 'c1'), 2, 'c1 was forgotten');
  });

  test('a send in flight when the component unmounts lands in the kept state', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(1)])));
    let sent;
    await step(() => {
      sent = view.result.current.send('en route');
    });
    const request = client.take('sendMessage');
    await view.hide();
    await step(() =>
      request.resolve(message(2, { senderId: 'me', body: 'en route', clientMessageId: request.args.clientMessageId })),
    );
    await sent;
    await view.show();
    assert.deepEqual(ids(view.result.current.messages), numbers(1, 2));
    assert.equal(view.result.current.messages.some(isPending), false);
    assert.equal(historyReads(rest, 'c1'), 1);
  });

  test('failed and pending sends survive navigation, beyond the bound, and retry and discard work after it', async () => {
    const services = setup();
    const { client, rest } = services;
    const view = await renderKeeping(services, 0);
    await step(() => rest.take('listMessages').resolve(page([message(1)])));
    let first;
    let second;
    await step(() => {
      first = view.result.current.send('premier');
      first.catch(() => {}); // asserted below
      second = view.result.current.send('second');
      second.catch(() => {});
    });
    const [firstRequest, secondRequest] = [client.take('sendMessage'), client.take('sendMessage')];
    await step(() => firstRequest.reject(new Error('network')));
    await assert.rejects(first, /network/);

    // Away (nothing else is kept: keepConversations 0), elsewhere, and back.
    await view.rerender('c2');
    await step(() => rest.take('listMessages').resolve(page([])));
    await view.hide();
    await step(() => secondRequest.reject(new Error('refused')));
    await view.show('c1');
    assert.equal(historyReads(rest, 'c1'), 1, 'kept for its sends, not fetched again');
    const [, failedFirst, failedSecond] = view.result.current.messages;
    assert.deepEqual(
      [failedFirst.body, failedFirst.pending, failedSecond.body, failedSecond.pending],
      ['premier', 'failed', 'second', 'failed'],
    );

    let retried;
    await step(() => {
      retried = view.result.current.retry(failedFirst.clientMessageId);
    });
    const again = client.take('sendMessage');
    assert.equal(again.args.clientMessageId, failedFirst.clientMessageId);
    await step(() => again.resolve(message(2, { senderId: 'me', body: 'premier', clientMessageId: again.args.clientMessageId })));
    await retried;
    await step(() => view.result.current.discard(failedSecond.clientMessageId));
    assert.deepEqual(ids(view.result.current.messages), numbers(1, 2));

    // Nothing held for it any more: now it is forgotten like any other.
    await view.rerender('c2');
    await view.rerender('c1');
    assert.equal(historyReads(rest, 'c1'), 2);
  });

  test('events lost while nobody shows it (reload): the next showing reads the newest page again, once', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').resolve(page([message(1), message(2)])));
    await view.hide();
    await step(() => client.emit('reload', { reason: 'sync_expired', since: 'x', message: 'expired' }));
    assert.equal(historyReads(rest, 'c1'), 1, 'nothing read for nobody');

    await view.show();
    assert.equal(historyReads(rest, 'c1'), 2);
    assert.deepEqual(ids(view.result.current.messages), numbers(1, 2), 'what is held shows meanwhile');
    // Messages 3..19 were missed: the page does not join what is held, which it replaces.
    await step(() => rest.take('listMessages').resolve(page([message(20), message(21)], { olderCursor: messageId(20) })));
    assert.deepEqual(ids(view.result.current.messages), numbers(20, 21));
    assert.equal(view.result.current.hasOlder, true);

    await view.hide();
    await view.show();
    assert.equal(historyReads(rest, 'c1'), 2, 'current again: not read a third time');
  });

  test('a failed load is tried again when the conversation is shown again', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks(() => useConversation('c1'), { client, rest, clock });
    await step(() => rest.take('listMessages').reject(new Error('offline')));
    assert.equal(view.result.current.status, 'error');
    await view.hide();
    await view.show();
    assert.equal(view.result.current.status, 'loading');
    await step(() => rest.take('listMessages').resolve(page([message(1)])));
    assert.equal(view.result.current.status, 'ready');
    assert.deepEqual(ids(view.result.current.messages), numbers(1));
  });
});
