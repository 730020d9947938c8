// Fakes of what the hooks use: a MissiveClient whose events the test emits and whose
// requests it answers, a MissiveRest whose calls it answers one by one, and a clock whose
// timers run when the test moves time. Nothing here sleeps.

import { MissiveError } from '@missive/client';
import { conversationDetails } from './data.js';

export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The few members of MissiveClient that the hooks use. */
export class FakeClient {
  constructor({ state = 'connected' } = {}) {
    this.state = state;
    this.listeners = new Map();
    /** Requests not answered yet: `{ action, args, resolve, reject }`. */
    this.requests = [];
    /** Every typing signal sent, with the fake clock's time. */
    this.typingSignals = [];
    this.clock = null;
    this.closed = false;
  }

  on(name, listener) {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  off(name, listener) {
    this.listeners.get(name)?.delete(listener);
  }

  /** Delivers an event as the real client does: on its channel, with `{ late }` for cursor events. */
  emit(name, ...args) {
    for (const listener of [...(this.listeners.get(name) ?? [])]) listener(...args);
  }

  listenerCount(name) {
    return this.listeners.get(name)?.size ?? 0;
  }

  setState(state) {
    const previous = this.state;
    this.state = state;
    this.emit('state', { state, previous });
  }

  connect() {
    return Promise.resolve();
  }

  close() {
    this.closed = true;
    this.setState('closed');
  }

  /** Resolved by the test with the stored message (the real client resolves with `ack.message`). */
  send(conversationId, body, options) {
    // As the real client writes them: only the fields that say something.
    const attachments = options?.attachments ? { attachments: options.attachments } : {};
    const reply = {
      ...(options?.parentId ? { parentId: options.parentId } : {}),
      ...(options?.alsoInConversation ? { alsoInConversation: true } : {}),
    };
    return this.request('sendMessage', {
      conversationId,
      body,
      clientMessageId: options?.clientMessageId,
      ...attachments,
      ...reply,
    });
  }

  editMessage(conversationId, messageId, body) {
    return this.request('editMessage', { conversationId, messageId, body });
  }

  deleteMessage(conversationId, messageId) {
    return this.request('deleteMessage', { conversationId, messageId });
  }

  react(conversationId, messageId, emoji, on) {
    return this.request('react', { conversationId, messageId, emoji, on });
  }

  markRead(conversationId, messageId) {
    return this.request('markRead', { conversationId, messageId });
  }

  typing(conversationId, state) {
    this.typingSignals.push({ conversationId, state, at: this.clock?.now() ?? 0 });
    if (this.state !== 'connected') return Promise.reject(new MissiveError('not_connected', 'not connected'));
    return Promise.resolve({ delivered: true });
  }

  request(action, args) {
    const d = deferred();
    this.requests.push({ action, args, resolve: d.resolve, reject: d.reject });
    return d.promise;
  }

  /** The oldest unanswered request of `action` (removed from the queue). */
  take(action) {
    const index = this.requests.findIndex((r) => r.action === action);
    if (index < 0) throw new Error(`no pending ${action}; pending: ${this.requests.map((r) => r.action).join(', ')}`);
    return this.requests.splice(index, 1)[0];
  }
}

const REST_METHODS = [
  'me',
  'listUsers',
  'listConversations',
  'getConversation',
  'listMessages',
  'searchMessages',
  'listReplies',
  'listNotifications',
  'unreadNotificationCount',
  'markNotificationRead',
  'markAllNotificationsRead',
  'unreadTotals',
  'upload',
];

/**
 * The REST methods the hooks call. A method given a handler (`answer`) answers by itself;
 * otherwise each call waits until the test takes it (`take`) and resolves or rejects it.
 */
export class FakeRest {
  constructor() {
    this.handlers = new Map();
    this.pending = [];
    /** Every call, answered or not: `{ method, args }`. */
    this.calls = [];
    for (const method of REST_METHODS) this[method] = (...args) => this.call(method, args);
  }

  answer(method, handler) {
    this.handlers.set(method, handler);
    return this;
  }

  call(method, args) {
    this.calls.push({ method, args });
    const handler = this.handlers.get(method);
    if (handler) return Promise.resolve().then(() => handler(...args));
    const d = deferred();
    this.pending.push({ method, args, resolve: d.resolve, reject: d.reject });
    return d.promise;
  }

  take(method) {
    const index = this.pending.findIndex((p) => p.method === method);
    if (index < 0) throw new Error(`no pending ${method}; pending: ${this.pending.map((p) => p.method).join(', ')}`);
    return this.pending.splice(index, 1)[0];
  }

  callsOf(method) {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }
}

/** The `Clock` of @missive/client, driven by `advance`. */
export class FakeClock {
  constructor(start = Date.parse('2026-11-24T10:00:00.000Z')) {
    this.time = start;
    this.timers = new Map();
    this.nextId = 1;
  }

  now() {
    return this.time;
  }

  setTimeout(callback, ms) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id) {
    this.timers.delete(id);
  }

  /** Moves time forward, running every timer that falls due, in time order. */
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let next;
      for (const [id, timer] of this.timers)
        if (timer.at <= end && (!next || timer.at < next[1].at)) next = [id, timer];
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
    }
    this.time = end;
  }

  get pendingTimers() {
    return this.timers.size;
  }
}

/**
 * A fake client, REST and clock together, the client on the clock (its typing signals say
 * when); `getConversation` answers the conversation's details by itself.
 */
export function fakeServices() {
  const client = new FakeClient();
  const rest = new FakeRest().answer('getConversation', (id) => conversationDetails(id));
  const clock = new FakeClock();
  client.clock = clock;
  return { client, rest, clock };
}
