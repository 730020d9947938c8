import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MissiveError } from '@missive/client';
import { usePresence } from '../dist/index.js';
import { FakeClient, FakeRest } from './support/fakes.js';
import { directoryUser } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

const presence = (client, userId, online, lastSeenAt = null) =>
  step(() => client.emit('presence', { type: 'presence', userId, online, lastSeenAt }));

describe('usePresence', () => {
  test('from the directory, then live presence events', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => usePresence(['bob', 'ann']), { client, rest });
    assert.deepEqual(view.result.current, {});
    const read = rest.take('listUsers');
    assert.deepEqual(read.args, [{ limit: 100 }]);
    await step(() =>
      read.resolve({
        users: [
          directoryUser('ann', true),
          directoryUser('bob', false, '2026-11-24T08:00:00Z'),
          directoryUser('cat', true),
        ],
        nextCursor: 'u2',
      }),
    );
    assert.deepEqual(view.result.current, {
      ann: { online: true, lastSeenAt: null },
      bob: { online: false, lastSeenAt: '2026-11-24T08:00:00Z' },
    });
    assert.equal(rest.pending.length, 0, 'both found: no second page');

    await presence(client, 'bob', true);
    assert.deepEqual(view.result.current.bob, { online: true, lastSeenAt: null });
    await presence(client, 'ann', false, '2026-11-24T10:00:00Z');
    assert.deepEqual(view.result.current.ann, { online: false, lastSeenAt: '2026-11-24T10:00:00Z' });
  });

  test('pages through the directory until the wanted users are passed; a page never overrides a live event', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => usePresence(['dan', 'zed']), { client, rest });
    await step(() =>
      rest
        .take('listUsers')
        .resolve({ users: [directoryUser('ann', true), directoryUser('dan', false)], nextCursor: 'u2' }),
    );
    // Zed's own event arrives while the next page is read.
    await presence(client, 'zed', true);
    const second = rest.take('listUsers');
    assert.deepEqual(second.args, [{ cursor: 'u2', limit: 100 }]);
    await step(() =>
      second.resolve({ users: [directoryUser('eve', true), directoryUser('zed', false)], nextCursor: 'u3' }),
    );
    assert.equal(rest.pending.length, 0, 'past the highest wanted id: done');
    assert.deepEqual(view.result.current, {
      dan: { online: false, lastSeenAt: null },
      zed: { online: true, lastSeenAt: null },
    });
  });

  test('an erased person (`~erased`) is no one: not looked for, so the directory is not read to its end', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => usePresence(['bob', '~erased']), { client, rest });
    await step(() =>
      rest
        .take('listUsers')
        .resolve({ users: [directoryUser('ann', true), directoryUser('bob', true)], nextCursor: 'u2' }),
    );
    assert.equal(rest.pending.length, 0, 'bob found: no second page');
    assert.deepEqual(view.result.current, { bob: { online: true, lastSeenAt: null } });

    const alone = await renderHooks(() => usePresence(['~erased']), { client: new FakeClient(), rest });
    await step(() => {});
    assert.equal(rest.callsOf('listUsers').length, 1, 'nobody to look for: no read');
    assert.deepEqual(alone.result.current, {});
  });

  test('components asking in the same render share one read; others’ changes do not re-render', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => ({ a: usePresence(['ann']), b: usePresence(['bob', 'ann']) }), {
      client,
      rest,
    });
    assert.equal(rest.callsOf('listUsers').length, 1);
    await step(() =>
      rest
        .take('listUsers')
        .resolve({ users: [directoryUser('ann', true), directoryUser('bob', true)], nextCursor: null }),
    );
    const a = view.result.current.a;
    await presence(client, 'bob', false);
    assert.equal(view.result.current.a, a, 'ann’s presence is the same object');
    assert.equal(view.result.current.b.bob.online, false);
  });

  test('after a reconnection the directory is read again (presence is never synced)', async () => {
    const client = new FakeClient();
    const rest = new FakeRest().answer('listUsers', () => ({ users: [directoryUser('bob', true)], nextCursor: null }));
    const view = await renderHooks(() => usePresence(['bob']), { client, rest });
    await step(() => {});
    assert.equal(view.result.current.bob.online, true);
    rest.answer('listUsers', () => ({
      users: [directoryUser('bob', false, '2026-11-24T11:00:00Z')],
      nextCursor: null,
    }));
    await step(() => client.setState('disconnected'));
    await step(() => client.setState('connected'));
    assert.equal(rest.callsOf('listUsers').length, 2);
    assert.deepEqual(view.result.current.bob, { online: false, lastSeenAt: '2026-11-24T11:00:00Z' });
  });

  test('a guest, refused the directory, still gets live events', async () => {
    const client = new FakeClient();
    const rest = new FakeRest().answer('listUsers', () => {
      throw new MissiveError('forbidden', 'guests cannot list users', { status: 403 });
    });
    const view = await renderHooks((ids) => usePresence(ids), { client, rest, props: ['partner'] });
    await step(() => {});
    assert.deepEqual(view.result.current, {});
    await presence(client, 'partner', true);
    assert.deepEqual(view.result.current, { partner: { online: true, lastSeenAt: null } });
    await view.rerender(['partner', 'other']);
    assert.equal(rest.callsOf('listUsers').length, 1, 'not asked again');
  });
});
