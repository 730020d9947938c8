// What a MissiveClient can be told, and its defaults.

import type { BackoffOptions } from './backoff.js';
import type { Clock } from './clock.js';
import type { FetchLike } from './rest.js';
import type { SendFields } from './send-fields.js';
import type { WebSocketConstructor } from './socket.js';
import type { WakeSignals } from './wake.js';

export interface MissiveClientOptions {
  /** The WebSocket endpoint, e.g. `ws://127.0.0.1:3000/ws`; `?token=` is added. */
  url: string;
  /**
   * Called before every (re)connection and rotation, so an expiring token can be renewed. A
   * failure is retried with backoff; throw `new MissiveError('auth_failed', …)` to say it
   * fails for good (e.g. the user signed out): the client closes with `auth_failed`.
   */
  getToken: () => string | Promise<string>;
  /** The WebSocket implementation; default `globalThis.WebSocket` (pass `ws`'s on Node 20). */
  WebSocket?: WebSocketConstructor;
  /**
   * Resume from this cursor (e.g. `resumeCursor` saved by an earlier session). Default: the
   * moment the client was created (less 1 s), so create it before loading over REST (connect
   * whenever).
   */
  since?: string | null;
  /**
   * The REST API's base URL (as `MissiveRest`'s `baseUrl`). With it, after `authProbeAfter`
   * sockets in a row closed before they opened (a browser cannot see the handshake's 401), the
   * client asks `GET /v1/me` with the same token, and closes with `auth_failed` if it is
   * answered 401 or 403. Without it, refusals are retried forever (with backoff).
   */
  restUrl?: string;
  /** The `fetch` of that probe. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Sockets closed before they opened, in a row, before the REST probe. Default 3; 0: never probe. */
  authProbeAfter?: number;
  /** Reconnect delays (full jitter). Default base 500 ms, ceiling 30 s. */
  backoff?: BackoffOptions;
  /**
   * A request without its answer for this long makes the client ping the socket: no pong
   * within `probeTimeoutMs` means the socket is dead (reconnect and write it again); a pong
   * means the frame or its answer was lost, and it is written again on the same socket.
   * Default 10 000.
   */
  ackTimeoutMs?: number;
  /**
   * A ping that checks a socket — after an ack timeout, or when the device wakes (`online`,
   * the page visible again) — unanswered this long means the socket is dead. Default 5 000.
   */
  probeTimeoutMs?: number;
  /**
   * Where `online` and `visibilitychange` come from: they check the connection at once
   * (`checkConnection()`). Default: the browser's `window` and `document` when there are
   * some (`browserWakeSignals()`); `null`: none.
   */
  wakeSignals?: WakeSignals | null;
  /** A socket not open after this long is given up. Default 15 000. */
  connectTimeoutMs?: number;
  /** A `sync` page not finished after this long means the socket is dead. Default 30 000. */
  syncTimeoutMs?: number;
  /** A `ping` after this long without a frame sent (the server closes after 10 min). Default 240 000; 0: never. */
  pingIntervalMs?: number;
  /**
   * Rotate at most this long after a socket opened (the server closes at 2 h), at a random
   * point in its last fifth so that clients connected together do not rotate together.
   * Default 6 900 000 (1 h 55: rotations between 1 h 32 and 1 h 55); 0: never.
   */
  rotateAfterMs?: number;
  /**
   * A second `sync` this long after each connection, for events the server stored but did
   * not push while the connection was being registered (see docs/client.md). Default 1 000;
   * 0: none.
   */
  settleSyncMs?: number;
  /** How far out of order two publishes may finish (see resume.ts). Default 10 000. */
  reorderWindowMs?: number;
  /** Time and timers; tests pass a fake. */
  clock?: Clock;
  /** Randomness for the jitter (reconnect backoff, rotation); tests pass their own. */
  random?: () => number;
}

/** A send's options: files, and `parentId` (with `alsoInConversation`) for a reply in a thread. */
export interface SendOptions extends SendFields {
  /** The idempotency key; one is generated when absent. Reuse it to retry a send yourself. */
  clientMessageId?: string;
  /** Reject with `timeout` after this long (the send may still happen). Default: no limit. */
  timeoutMs?: number;
}

export interface RequestOptions {
  /** Reject with `timeout` after this long. Default: no limit (typing and ping: the ack timeout). */
  timeoutMs?: number;
}

/** The timings, every one given. */
export type Timings = Required<
  Pick<
    MissiveClientOptions,
    | 'ackTimeoutMs'
    | 'probeTimeoutMs'
    | 'authProbeAfter'
    | 'connectTimeoutMs'
    | 'syncTimeoutMs'
    | 'pingIntervalMs'
    | 'rotateAfterMs'
    | 'settleSyncMs'
    | 'reorderWindowMs'
  >
>;

export function timings(options: MissiveClientOptions): Timings {
  return {
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    // Half the ack timeout: a woken device should learn quickly that its socket died asleep.
    probeTimeoutMs: options.probeTimeoutMs ?? 5_000,
    authProbeAfter: options.authProbeAfter ?? 3,
    connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
    syncTimeoutMs: options.syncTimeoutMs ?? 30_000,
    // Under half the server's 10-minute idle limit: one lost ping still leaves time for another.
    pingIntervalMs: options.pingIntervalMs ?? 240_000,
    // Five minutes before the server's 2-hour limit, so a slow rotation still finishes in time.
    rotateAfterMs: options.rotateAfterMs ?? 6_900_000,
    settleSyncMs: options.settleSyncMs ?? 1_000,
    reorderWindowMs: options.reorderWindowMs ?? 10_000,
  };
}
