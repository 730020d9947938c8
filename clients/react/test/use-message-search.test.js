import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { useMessageSearch } from '../dist/index.js';
import { FakeClient, FakeClock, FakeRest } from './support/fakes.js';
import { message, messageId, page } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

function setup() {
  const client = new FakeClient();
  const rest = new FakeRest();
  const clock = new FakeClock();
  return { client, rest, clock };
}

const ids = (messages) => messages.map((m) => m.id);
const numbers = (...ns) => ns.map(messageId);
/** Each search asked: conversation, query and page (the abort signal left out). */
const searches = (rest) => rest.callsOf('searchMessages').map(([id, q, query]) => [id, q, query]);

describe('useMessageSearch', () => {
  test('asks once the query stays unchanged for the debounce, on the provider’s clock; blank asks nothing', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks((q) => useMessageSearch('c1', q), { client, rest, clock, props: '' });
    assert.equal(view.result.current.status, 'idle');

    for (const q of ['f', 'fe', 'fet', 'fete ']) {
      await view.rerender(q);
      await step(() => clock.advance(200));
    }
    assert.deepEqual(searches(rest), [], 'nothing while keys keep coming');
    assert.equal(view.result.current.status, 'loading');
    assert.equal(view.result.current.query, 'fete');
    await step(() => clock.advance(100)); // 300 ms after the last keystroke
    assert.deepEqual(searches(rest), [['c1', 'fete', {}]]);

    await step(() => rest.take('searchMessages').resolve(page([message(3), message(5)])));
    assert.equal(view.result.current.status, 'ready');
    assert.deepEqual(ids(view.result.current.results), numbers(3, 5));
    assert.equal(view.result.current.more, false);

    // Blank (or spaces): idle at once, nothing asked, even after the debounce.
    await view.rerender('   ');
    assert.equal(view.result.current.status, 'idle');
    assert.deepEqual(view.result.current.results, []);
    await step(() => clock.advance(1000));
    assert.equal(rest.callsOf('searchMessages').length, 1);
  });

  test('an answer to an older query never shows: its request is aborted and its late answer dropped', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks((q) => useMessageSearch('c1', q, { debounceMs: 50 }), {
      client,
      rest,
      clock,
      props: 'vase',
    });
    await step(() => clock.advance(50));
    const older = rest.take('searchMessages');
    const olderSignal = older.args[3].signal;

    await view.rerender('vases');
    assert.equal(olderSignal.aborted, true, 'the older request is cancelled');
    await step(() => clock.advance(50));
    const newer = rest.take('searchMessages');
    assert.equal(newer.args[1], 'vases');

    // The older answer comes first: dropped, still loading.
    await step(() => older.resolve(page([message(1)])));
    assert.equal(view.result.current.status, 'loading');
    assert.deepEqual(view.result.current.results, []);
    await step(() => newer.resolve(page([message(2)])));
    assert.deepEqual(ids(view.result.current.results), numbers(2));

    // The other order: a newer query's answer shown, then an older one's late failure dropped too.
    await view.rerender('vert');
    await step(() => clock.advance(50));
    const third = rest.take('searchMessages');
    await view.rerender('verte');
    await step(() => clock.advance(50));
    const fourth = rest.take('searchMessages');
    await step(() => fourth.resolve(page([message(4)])));
    await step(() => third.reject(new Error('aborted')));
    assert.equal(view.result.current.status, 'ready');
    assert.equal(view.result.current.query, 'verte');
    assert.deepEqual(ids(view.result.current.results), numbers(4));
  });

  test('loadMore pages back with before, results oldest first, until nothing is left', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks(() => useMessageSearch('c1', 'fete', { limit: 2 }), { client, rest, clock });
    await step(() => clock.advance(300));
    await step(() => rest.take('searchMessages').resolve(page([message(8), message(9)], { olderCursor: messageId(8) })));
    assert.equal(view.result.current.more, true);

    let more;
    await step(() => {
      more = view.result.current.loadMore();
      void view.result.current.loadMore(); // one at a time
    });
    assert.equal(view.result.current.loadingMore, true);
    assert.deepEqual(searches(rest), [
      ['c1', 'fete', { limit: 2 }],
      ['c1', 'fete', { before: messageId(8), limit: 2 }],
    ]);
    // The server stopped scanning before finding any: an empty page, and more to search.
    await step(() => rest.take('searchMessages').resolve(page([], { olderCursor: messageId(6) })));
    await more;
    assert.equal(view.result.current.more, true);
    await step(() => {
      void view.result.current.loadMore();
    });
    assert.deepEqual(searches(rest).at(-1), ['c1', 'fete', { before: messageId(6), limit: 2 }]);
    await step(() => rest.take('searchMessages').resolve(page([message(2)])));
    assert.deepEqual(ids(view.result.current.results), numbers(2, 8, 9));
    assert.deepEqual([view.result.current.more, view.result.current.loadingMore], [false, false]);
    await step(() => view.result.current.loadMore());
    assert.equal(rest.callsOf('searchMessages').length, 3, 'nothing older: nothing asked');
  });

  test('a failed search is an error; a failed loadMore keeps the results', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks((q) => useMessageSearch('c1', q), { client, rest, clock, props: 'a' });
    await step(() => clock.advance(300));
    const failure = new Error('offline');
    await step(() => rest.take('searchMessages').reject(failure));
    assert.deepEqual([view.result.current.status, view.result.current.error], ['error', failure]);

    await view.rerender('ab');
    await step(() => clock.advance(300));
    await step(() => rest.take('searchMessages').resolve(page([message(5)], { olderCursor: messageId(5) })));
    await step(() => {
      void view.result.current.loadMore();
    });
    await step(() => rest.take('searchMessages').reject(failure));
    assert.deepEqual([view.result.current.status, view.result.current.error], ['ready', failure]);
    assert.deepEqual(ids(view.result.current.results), numbers(5));
  });

  test('under StrictMode one request; unmounted, nothing more is asked', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks(() => useMessageSearch('c1', 'vase'), { client, rest, clock, strict: true });
    await step(() => clock.advance(300));
    assert.equal(rest.callsOf('searchMessages').length, 1);
    await view.unmount();
    assert.equal(rest.take('searchMessages').args[3].signal.aborted, true, 'its request is cancelled');
    assert.equal(clock.pendingTimers, 0);
  });

  test('without a conversation: idle, nothing asked', async () => {
    const { client, rest, clock } = setup();
    const view = await renderHooks(() => useMessageSearch(null, 'vase'), { client, rest, clock });
    await step(() => clock.advance(1000));
    assert.equal(view.result.current.status, 'idle');
    assert.equal(rest.calls.length, 0);
  });
});
