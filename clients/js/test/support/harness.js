// A MissiveClient on a fake WebSocket and a fake clock, and the server's side of the protocol
// played by hand.

import { MissiveClient } from '../../dist/index.js';
import { FakeClock, settle } from './fake-clock.js';
import { fakeWebSockets } from './fake-websocket.js';

export function harness(options = {}) {
  const clock = new FakeClock();
  const { FakeWebSocket, sockets } = fakeWebSockets();
  let tokens = 0;
  const client = new MissiveClient({
    url: 'ws://missive.test/ws',
    getToken: async () => `token-${++tokens}`,
    WebSocket: FakeWebSocket,
    clock,
    random: () => 0.5,
    backoff: { baseMs: 100, maxMs: 1000 },
    // Each test turns on the timers it is about.
    settleSyncMs: 0,
    pingIntervalMs: 0,
    rotateAfterMs: 0,
    // No browser here; a test that wants wake-ups passes its own source.
    wakeSignals: null,
    ...options,
  });
  const states = [];
  const stateChanges = [];
  const events = [];
  const errors = [];
  const reloads = [];
  client.on('state', (change) => {
    states.push(change.state);
    stateChanges.push(change);
  });
  client.on('event', (event, info) => events.push({ event, late: info.late }));
  client.on('error', (error) => errors.push(error));
  client.on('reload', (info) => reloads.push(info));
  return {
    clock,
    sockets,
    client,
    states,
    stateChanges,
    events,
    errors,
    reloads,
    /** Bodies of the message.new events delivered, in order. */
    bodies: () => events.filter((e) => e.event.type === 'message.new').map((e) => e.event.message.body),
    get socket() {
      return sockets.at(-1);
    },
  };
}

/**
 * Connects for the first time and returns the socket. The first connection syncs too (from
 * when the client was made, without `since`): answered here with no events.
 */
export async function connectFirst(h) {
  const connected = h.client.connect();
  await settle();
  h.socket.open();
  await settle();
  if (h.socket.last('sync')) await answerSync(h.socket);
  await connected;
  await settle();
  return h.socket;
}

/** Answers the socket's latest `sync` with `events`, then `sync.done`. */
export async function answerSync(socket, events = [], { more = false, cursor } = {}) {
  const sync = socket.last('sync');
  if (!sync) throw new Error('no sync to answer');
  for (const event of events) socket.receive(event);
  const last = cursor ?? events.at(-1)?.cursor ?? sync.since;
  socket.receive({ type: 'sync.done', requestId: sync.requestId, cursor: last, more });
  await settle();
}

/** Answers the socket's latest frame of `action` with an ack carrying `result`. */
export async function ack(socket, action, result) {
  const frame = socket.last(action);
  socket.receive({ type: 'ack', requestId: frame.requestId, ...result });
  await settle();
}

export { settle };
