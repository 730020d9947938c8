import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { useNotifications } from '../dist/index.js';
import { FakeClient, FakeRest } from './support/fakes.js';
import { notification } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

const live = (client, n) =>
  step(() =>
    client.emit('notification.new', { type: 'notification.new', notification: n, cursor: 'x' }, { late: false }),
  );

async function loaded({ notifications, count, nextCursor = null }) {
  const client = new FakeClient();
  const rest = new FakeRest();
  const view = await renderHooks(() => useNotifications(), { client, rest });
  await step(() => {
    rest.take('listNotifications').resolve({ notifications, nextCursor });
    rest.take('unreadNotificationCount').resolve(count);
  });
  return { client, rest, view };
}

describe('useNotifications', () => {
  test('the bell: newest first, the server’s counter, one more for each live notification', async () => {
    const { client, view } = await loaded({
      notifications: [notification(3), notification(2, { readAt: '2026-11-24T09:30:00Z' }), notification(1)],
      count: 7, // counts beyond the page
    });
    assert.equal(view.result.current.status, 'ready');
    assert.equal(view.result.current.unreadCount, 7);

    await live(client, notification(4));
    assert.deepEqual(
      view.result.current.notifications.map((n) => n.title),
      ['notification 4', 'notification 3', 'notification 2', 'notification 1'],
    );
    assert.equal(view.result.current.unreadCount, 8);
    await live(client, notification(4)); // the same one again: no change
    assert.equal(view.result.current.unreadCount, 8);
  });

  test('markRead lowers the counter at once; read-all brings it to zero', async () => {
    const { rest, view } = await loaded({ notifications: [notification(2), notification(1)], count: 5 });
    const one = notification(2);
    await step(() => {
      void view.result.current.markRead(one.id);
    });
    assert.equal(view.result.current.unreadCount, 4);
    assert.ok(view.result.current.notifications[0].readAt);
    await step(() => rest.take('markNotificationRead').resolve({ ...one, readAt: '2026-11-24T10:00:00Z' }));
    assert.equal(view.result.current.notifications[0].readAt, '2026-11-24T10:00:00Z');
    assert.equal(view.result.current.unreadCount, 4);

    let all;
    await step(() => {
      all = view.result.current.markAllRead();
    });
    assert.equal(view.result.current.unreadCount, 0);
    assert.ok(view.result.current.notifications.every((n) => n.readAt !== null));
    await step(() => rest.take('markAllNotificationsRead').resolve(4));
    await all;
    assert.equal(view.result.current.unreadCount, 0);
  });

  test('a refused markRead puts the counter back', async () => {
    const { rest, view } = await loaded({ notifications: [notification(1)], count: 1 });
    let marking;
    await step(() => {
      marking = view.result.current.markRead(notification(1).id);
      marking.catch(() => {});
    });
    assert.equal(view.result.current.unreadCount, 0);
    await step(() => rest.take('markNotificationRead').reject(new Error('network_error')));
    await assert.rejects(marking);
    assert.equal(view.result.current.unreadCount, 1);
    assert.equal(view.result.current.notifications[0].readAt, null);
  });

  test('a notification heard while the counter was read makes it read again', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => useNotifications(), { client, rest });
    await live(client, notification(9));
    await step(() => {
      rest.take('listNotifications').resolve({ notifications: [notification(9)], nextCursor: null });
      rest.take('unreadNotificationCount').resolve(3);
    });
    // Whether the first count included notification 9 is unknown: asked again.
    await step(() => rest.take('unreadNotificationCount').resolve(3));
    assert.equal(view.result.current.unreadCount, 3);
  });

  test('after a reconnection the counter is asked again (reads elsewhere send no event)', async () => {
    const { client, rest, view } = await loaded({ notifications: [notification(1)], count: 1 });
    await step(() => client.setState('disconnected'));
    await step(() => client.setState('connected'));
    await step(() => rest.take('unreadNotificationCount').resolve(0));
    assert.equal(view.result.current.unreadCount, 0);
  });

  test('loadMore appends older notifications', async () => {
    const { rest, view } = await loaded({ notifications: [notification(3)], count: 3, nextCursor: 'n2' });
    assert.equal(view.result.current.hasMore, true);
    await step(() => {
      void view.result.current.loadMore();
    });
    const more = rest.take('listNotifications');
    assert.deepEqual(more.args, [{ cursor: 'n2' }]);
    await step(() => more.resolve({ notifications: [notification(2), notification(1)], nextCursor: null }));
    assert.equal(view.result.current.notifications.length, 3);
    assert.equal(view.result.current.hasMore, false);
  });
});
