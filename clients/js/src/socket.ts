// One WebSocket and what the client knows about it. The client may hold two at once: the
// live one and, while rotating, its successor (or the predecessor finishing its requests).

import type { Clock, TimerHandle } from './clock.js';
import type { components } from './generated/schema.js';
import type { CursorEvent } from './types.js';
import { EventBuffer } from './resume.js';

// The frames, as the protocol's JSON Schema (docs/schema/protocol.schema.json) gives them.
/** What the client writes: an action, and a `requestId` to match its answer. */
export type ClientFrame = components['schemas']['ClientFrame'];
/** The actions, tagged by `action`. */
export type Action = components['schemas']['Action'];
/** What the server sends: an event (`ServerEvent`) or an answer, tagged by `type`. */
export type ServerFrame = components['schemas']['ServerFrame'];
/** The answers to actions: `ack`, `sync.done`, `pong`, `error`. */
export type Answer = components['schemas']['Answer'];
/** A kept event whose cursor the client checked: what it holds, orders and resumes from. */
export type HeldEvent = CursorEvent & { cursor: string };

/**
 * The part of the WHATWG WebSocket the client uses: browsers' and Node ≥ 22's global
 * `WebSocket`, and the `ws` package's, all fit. Handlers take `any` so that each
 * implementation's own event types are accepted.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;

export type LinkPhase =
  /** Handshake under way. */
  | 'opening'
  /** Open, catching up with `sync`; its events are held (see `EventBuffer`). */
  | 'syncing'
  /** Open and caught up: requests are written on it. */
  | 'live'
  /** Replaced by a rotation: finishing the requests written on it, then closed. */
  | 'draining'
  | 'closed';

export class Link {
  phase: LinkPhase = 'opening';
  openedAt = 0;
  lastSentAt = 0;
  readonly held = new EventBuffer<HeldEvent>();
  connectTimer: TimerHandle | undefined;
  pingTimer: TimerHandle | undefined;
  rotateTimer: TimerHandle | undefined;
  drainTimer: TimerHandle | undefined;
  settleTimer: TimerHandle | undefined;
  syncRetryTimer: TimerHandle | undefined;

  constructor(
    readonly id: number,
    readonly socket: WebSocketLike,
    private readonly clock: Clock,
  ) {}

  get isOpen(): boolean {
    return this.phase !== 'closed' && this.socket.readyState === OPEN;
  }

  /** Writes one frame; `false` when the socket is not open. */
  send(frame: ClientFrame): boolean {
    if (!this.isOpen) return false;
    try {
      this.socket.send(JSON.stringify(frame));
    } catch {
      return false;
    }
    this.lastSentAt = this.clock.now();
    return true;
  }

  clearTimers(): void {
    const timers = [
      this.connectTimer,
      this.pingTimer,
      this.rotateTimer,
      this.drainTimer,
      this.settleTimer,
      this.syncRetryTimer,
    ];
    for (const timer of timers) {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
    this.connectTimer =
      this.pingTimer =
      this.rotateTimer =
      this.drainTimer =
      this.settleTimer =
      this.syncRetryTimer =
        undefined;
  }

  /** Closes the socket for good; its later frames and close event are ignored. */
  close(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    this.detach();
    try {
      this.socket.close(code, reason);
    } catch {
      // Closing a socket still connecting throws in some implementations; it is gone anyway.
    }
  }

  /** Forgets a socket the other side closed. */
  detach(): void {
    this.phase = 'closed';
    this.clearTimers();
    // No-ops rather than null: `ws` throws an 'error' event that has no listener, which it
    // emits when a socket still connecting is closed.
    const ignore = (): void => {};
    const socket = this.socket;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = ignore;
  }
}

/** A frame's text: browsers give a string; `ws` may give a Buffer (a Uint8Array). */
export function frameText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return undefined;
}
