import { closeDom } from './support/dom.js';
import assert from 'node:assert/strict';
import { createElement, StrictMode } from 'react';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { after, describe, test } from 'node:test';
import { MissiveProvider, useConversation, useMissive, useMissiveEvent } from '../dist/index.js';
import { FakeClient, FakeRest } from './support/fakes.js';
import { message, messageEvent, page } from './support/data.js';
import { renderHooks, step } from './support/render.js';

after(closeDom);

/** A WebSocket that never opens: enough for a real MissiveClient that is not connected. */
class InertWebSocket {
  constructor() {
    InertWebSocket.opened++;
  }
  send() {}
  close() {}
}
InertWebSocket.opened = 0;

describe('MissiveProvider and useMissive', () => {
  test('the connection state re-renders on change', async () => {
    const client = new FakeClient({ state: 'connecting' });
    const rest = new FakeRest();
    const view = await renderHooks(() => useMissive(), { client, rest });
    assert.equal(view.result.current.state, 'connecting');
    assert.equal(view.result.current.client, client);
    assert.equal(view.result.current.rest, rest);
    assert.equal(view.result.current.userId, 'me');
    await step(() => client.setState('connected'));
    assert.equal(view.result.current.state, 'connected');
    await step(() => client.setState('disconnected'));
    assert.equal(view.result.current.state, 'disconnected');
  });

  test('without a userId the provider asks rest.me()', async () => {
    const client = new FakeClient();
    const rest = new FakeRest();
    const view = await renderHooks(() => useMissive(), { client, rest, userId: null });
    assert.equal(view.result.current.userId, null);
    await step(() => rest.take('me').resolve({ user: { id: 'guest-42' }, role: 'guest', conversationScope: 'c1' }));
    assert.equal(view.result.current.userId, 'guest-42');
  });

  test('a client made from options is connected on mount and closed on unmount, StrictMode included', async () => {
    const root = createRoot(document.createElement('div'));
    let seen;
    function Probe() {
      seen = useMissive();
      return null;
    }
    const tree = createElement(
      StrictMode,
      null,
      createElement(
        MissiveProvider,
        {
          clientOptions: { url: 'ws://127.0.0.1:1/ws', getToken: () => 'token', WebSocket: InertWebSocket },
          restOptions: { baseUrl: 'http://127.0.0.1:1', fetch: () => new Promise(() => {}) },
          userId: 'me',
        },
        createElement(Probe),
      ),
    );
    await act(async () => root.render(tree));
    // StrictMode mounted, unmounted and mounted again: the client must still be usable.
    assert.equal(seen.state, 'connecting');
    assert.equal(InertWebSocket.opened, 1);
    const client = seen.client;
    await act(async () => root.unmount());
    assert.equal(client.state, 'closed');
  });

  test('a client passed in is the app’s: not closed on unmount', async () => {
    const client = new FakeClient();
    const view = await renderHooks(() => useMissive(), { client, rest: new FakeRest() });
    await view.unmount();
    await step(() => {});
    assert.equal(client.closed, false);
  });

  test('hooks work under StrictMode: one subscription each, one fetch, kept across the second mount', async () => {
    const client = new FakeClient();
    const rest = new FakeRest().answer('getConversation', () => ({ members: [] }));
    const view = await renderHooks(() => useConversation('c1'), { client, rest, strict: true });
    assert.equal(client.listenerCount('message.new'), 1);
    // Mounted, unmounted and mounted again: the first mount's load serves the second.
    assert.equal(rest.callsOf('listMessages').length, 1);
    assert.equal(rest.callsOf('getConversation').length, 1);
    await step(() => rest.take('listMessages').resolve(page([message(2)])));
    assert.deepEqual(
      view.result.current.messages.map((m) => m.body),
      ['message 2'],
    );
    await step(() => client.emit('message.new', messageEvent('message.new', message(3)), { late: false }));
    assert.deepEqual(
      view.result.current.messages.map((m) => m.body),
      ['message 2', 'message 3'],
    );
  });

  test('useMissiveEvent calls the latest listener, for server events and one’s own sends', async () => {
    const client = new FakeClient();
    const rest = new FakeRest()
      .answer('getConversation', () => ({ members: [] }))
      .answer('listMessages', () => page([]));
    const heard = [];
    const view = await renderHooks(
      (tag) => {
        useMissiveEvent('message.new', (event, info) => heard.push([tag, event.message.body, info.own === true]));
        return useConversation('c1');
      },
      { client, rest, props: 'first' },
    );
    await view.rerender('second');
    await step(() => client.emit('message.new', messageEvent('message.new', message(1)), { late: false }));
    await step(() => {
      void view.result.current.send('à moi');
    });
    await step(() => client.take('sendMessage').resolve(message(2, { body: 'à moi', senderId: 'me' })));
    assert.deepEqual(heard, [
      ['second', 'message 1', false],
      ['second', 'à moi', true],
    ]);
  });

  test('a hook outside the provider says so', async () => {
    const root = createRoot(document.createElement('div'));
    function Lost() {
      useMissive();
      return null;
    }
    const errors = [];
    const original = console.error;
    console.error = () => {};
    try {
      await act(async () => {
        root.render(createElement(ErrorBoundary, { errors }, createElement(Lost)));
      });
    } finally {
      console.error = original;
    }
    assert.match(String(errors[0]), /inside a <MissiveProvider>/);
  });
});

import { Component } from 'react';
class ErrorBoundary extends Component {
  constructor(props) {
    super(props);
    this.state = { failed: false };
  }
  static getDerivedStateFromError() {
    return { failed: true };
  }
  componentDidCatch(error) {
    this.props.errors.push(error);
  }
  render() {
    return this.state.failed ? null : this.props.children;
  }
}
