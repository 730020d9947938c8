// MissiveClient: one logical connection to Missive's WebSocket endpoint, kept alive across
// socket drops, token expiry, idle limits and the 2-hour connection limit.
//
//   disconnected ──connect()──▶ connecting ──open + sync──▶ connected
//        ▲                          │                           │
//        └──── backoff timer ◀──────┴────── socket lost ◀───────┘          close() ▶ closed
//
// Every (re)connection asks `getToken()` for a token, opens a socket, catches up with `sync`
// from the resume point (resume.ts), and only then is `connected`: requests queued meanwhile
// are written, in order. A rotation opens the successor while the current socket still
// serves, syncs it, switches to it, lets the old one finish its requests, and closes it.

import { probeToken } from './auth-probe.js';
import { backoffDelay, rotationDelay } from './backoff.js';
import { emitServerEvent, type ClientEvents, type ConnectionState, type StateChange } from './client-events.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { Emitter } from './emitter.js';
import { MissiveError } from './errors.js';
import { newClientMessageId } from './ids.js';
import { timings, type MissiveClientOptions, type RequestOptions, type SendOptions, type Timings } from './options.js';
import { Outbox, type OutgoingRequest } from './outbox.js';
import { RecentKeys } from './recent-keys.js';
import { ResumeTracker } from './resume.js';
import { sendFields } from './send-fields.js';
import {
  frameText,
  Link,
  type Action,
  type Answer,
  type HeldEvent,
  type ServerFrame,
  type WebSocketConstructor,
} from './socket.js';
import { browserWakeSignals, type WakeSignals } from './wake.js';
import type {
  MarkReadAck,
  PinsAck,
  ReactAck,
  Message,
  MessageChangeAck,
  MessageNewEvent,
  SendAck,
  ServerEvent,
  TypingAck,
  TypingState,
} from './types.js';
import { cursorAt } from './ulid.js';

interface InternalRequest {
  kind: 'sync' | 'ping';
  link: Link;
  /** A resume sync holds the socket's events; a settle sync lets them through. */
  mode?: 'resume' | 'settle';
  since?: string;
  timer: TimerHandle;
  resolve?: () => void;
  reject?: (error: unknown) => void;
  /** A ping that checks the socket (an ack timeout, a wake-up), with the requests it is for. */
  probe?: { overdue: OutgoingRequest[] };
}

/** Close code for a socket the client gives up on (4000–4999 are the application's). */
const CLOSE_FAILED = 4000;

/**
 * How long before its creation the client's first resume point is, without `since`: a publish
 * that took its cursor just before and was stored just after the app's REST load is still in
 * the first sync (publishes finish within ~25 ms of their cursor: resume.ts). Not the whole
 * reorder window: events older than the load are in the load, and the app would get them twice
 * (a conversation's newest page would gain the messages before it).
 */
const FIRST_RESUME_LEAD_MS = 1_000;

export class MissiveClient {
  private readonly options: Timings;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly emitter: Emitter<ClientEvents>;
  private readonly tracker: ResumeTracker;
  private readonly outbox = new Outbox();
  private readonly internal = new Map<string, InternalRequest>();
  /** Sends recently answered, kept to recognise their `message.new` coming back. */
  private readonly ownSends = new RecentKeys(1000);

  private currentState: ConnectionState = 'disconnected';
  private active: Link | undefined;
  private candidate: Link | undefined;
  private readonly draining = new Set<Link>();
  /** A candidate is being prepared (its token awaited). */
  private opening = false;
  private failedAttempts = 0;
  private failedRotations = 0;
  private retryTimer: TimerHandle | undefined;
  private linkCount = 0;
  private requestCount = 0;
  private requestSeq = 0;
  private started = false;
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private readonly wakeSignals: WakeSignals | undefined;
  private stopWaking: (() => void) | undefined;
  /** Sockets closed before they opened, in a row, while not connected (refusals, perhaps). */
  private refusedInARow = 0;
  /** The token of the latest connection attempt: the one a REST probe checks. */
  private lastToken: string | undefined;
  private authProbing = false;

  constructor(private readonly config: MissiveClientOptions) {
    const WebSocketImpl = config.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketImpl) {
      throw new MissiveError(
        'unsupported',
        'no WebSocket implementation: pass one as the `WebSocket` option (e.g. the `ws` package on Node 20)',
      );
    }
    this.WebSocketImpl = WebSocketImpl;
    this.clock = config.clock ?? systemClock;
    this.random = config.random ?? Math.random;
    this.options = timings(config);
    this.tracker = new ResumeTracker({ reorderWindowMs: this.options.reorderWindowMs, since: config.since ?? null });
    // Without `since`, the first connection resumes from the moment the client was made: an
    // app that makes it, then loads its state over REST, then connects, gets every event
    // published since its load began, however long the connection took.
    this.tracker.startAt(cursorAt(this.clock.now() - FIRST_RESUME_LEAD_MS));
    this.wakeSignals = config.wakeSignals === null ? undefined : (config.wakeSignals ?? browserWakeSignals());
    this.emitter = new Emitter<ClientEvents>((error, event) => this.reportListenerError(error, event));
  }

  // ---- Public surface -------------------------------------------------------------------

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The highest cursor processed: delivered, or acknowledged to this client. */
  get lastCursor(): string | null {
    return this.tracker.highest;
  }

  /**
   * Where the next resume starts: save it to resume a later session with the `since` option.
   * Events after it may be delivered again in that session (at most the reorder window's).
   */
  get resumeCursor(): string | null {
    return this.tracker.resumeFrom;
  }

  /** Requests not answered yet (queued, in flight or waiting to be retried). */
  get pendingRequests(): number {
    return this.outbox.size;
  }

  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  once<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): () => void {
    return this.emitter.once(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** Starts connecting (once); resolves when connected, rejects if closed first. */
  connect(): Promise<void> {
    if (this.currentState === 'closed') return Promise.reject(new MissiveError('closed', 'the client is closed'));
    if (this.currentState === 'connected') return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.started) {
      this.started = true;
      this.stopWaking = this.wakeSignals?.subscribe(() => this.checkConnection());
      void this.openCandidate('connect');
    }
    return connected;
  }

  /** Closes for good: sockets closed, pending calls rejected with `closed`. */
  close(): void {
    this.shutdown(new MissiveError('closed', 'the client was closed'));
  }

  /**
   * Closes for good with `error` as the reason pending calls reject with: `closed` from
   * `close()`, or the client's own verdict (`auth_failed`), which is also reported on `error`
   * and in the `state` event.
   */
  private shutdown(error: MissiveError): void {
    if (this.currentState === 'closed') return;
    this.stopWaking?.();
    this.stopWaking = undefined;
    this.clearRetryTimer();
    for (const link of [this.active, this.candidate, ...this.draining]) link?.close(1000, 'client closed');
    this.active = this.candidate = undefined;
    this.draining.clear();
    for (const request of this.internal.values()) {
      this.clock.clearTimeout(request.timer);
      request.reject?.(error);
    }
    this.internal.clear();
    for (const request of [...this.outbox.all()]) this.fail(request, error);
    const byTheApp = error.code === 'closed';
    if (!byTheApp) this.emitError(error);
    this.setState('closed', byTheApp ? { reason: 'closed by the app' } : { reason: error.message, error });
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /**
   * Sends a message, resolving with the stored message. Kept until answered across
   * reconnects, and written again with the same `clientMessageId`, so the server stores it
   * once whatever the retries. Sends to one conversation are written in call order. With
   * `parentId`, a reply in that message's thread (`alsoInConversation`: shown in the
   * conversation too).
   */
  async send(conversationId: string, body: string, options: SendOptions = {}): Promise<Message> {
    const clientMessageId = options.clientMessageId ?? newClientMessageId();
    // The frame is kept as it is until answered: a resend writes the same reply fields again.
    const ack = await this.request<SendAck>(
      { action: 'sendMessage', conversationId, body, clientMessageId, ...sendFields(options) },
      { ordered: true, resend: true, conversationId, timeoutMs: options.timeoutMs },
    );
    return ack.message;
  }

  /** Replaces the text of one's own message (`message.updated` to the others). */
  editMessage(
    conversationId: string,
    messageId: string,
    body: string,
    options: RequestOptions = {},
  ): Promise<MessageChangeAck> {
    return this.request(
      { action: 'editMessage', conversationId, messageId, body },
      { ordered: true, resend: true, conversationId, ...options },
    );
  }

  /** Deletes a message, leaving a tombstone (`message.deleted` to the others). */
  deleteMessage(conversationId: string, messageId: string, options: RequestOptions = {}): Promise<MessageChangeAck> {
    return this.request(
      { action: 'deleteMessage', conversationId, messageId },
      { ordered: true, resend: true, conversationId, ...options },
    );
  }

  /**
   * Reacts to a message with `emoji` (`on`), or takes the reaction back (`on: false`): one per
   * person per emoji, `reaction.updated` to the members. Safe to resend: the same reaction
   * twice is one.
   */
  react(
    conversationId: string,
    messageId: string,
    emoji: string,
    on = true,
    options: RequestOptions = {},
  ): Promise<ReactAck> {
    return this.request(
      { action: 'react', conversationId, messageId, emoji, on },
      { ordered: true, resend: true, conversationId, ...options },
    );
  }

  /** Pins a message for everyone in the conversation (at most 50); answers the pins, the newest first. */
  pinMessage(conversationId: string, messageId: string, options: RequestOptions = {}): Promise<PinsAck> {
    return this.request(
      { action: 'pinMessage', conversationId, messageId },
      { ordered: true, resend: true, conversationId, ...options },
    );
  }

  /** Unpins a message; answers the pins left. */
  unpinMessage(conversationId: string, messageId: string, options: RequestOptions = {}): Promise<PinsAck> {
    return this.request(
      { action: 'unpinMessage', conversationId, messageId },
      { ordered: true, resend: true, conversationId, ...options },
    );
  }

  /** Moves the caller's read marker forward to `messageId` (never back). */
  markRead(conversationId: string, messageId: string, options: RequestOptions = {}): Promise<MarkReadAck> {
    return this.request(
      { action: 'markRead', conversationId, messageId },
      { ordered: false, resend: true, conversationId, ...options },
    );
  }

  /** A typing signal; only while connected (a late one means nothing), never retried. */
  typing(conversationId: string, state: TypingState, options: RequestOptions = {}): Promise<TypingAck> {
    if (this.currentState !== 'connected') {
      return Promise.reject(new MissiveError('not_connected', 'typing is only sent while connected'));
    }
    return this.request(
      { action: 'typing', conversationId, state },
      {
        ordered: false,
        resend: false,
        conversationId,
        timeoutMs: options.timeoutMs ?? this.options.ackTimeoutMs,
      },
    );
  }

  /** A round trip to the server; rejects when not connected. */
  ping(): Promise<void> {
    const link = this.active;
    if (this.currentState !== 'connected' || !link) {
      return Promise.reject(new MissiveError('not_connected', 'not connected'));
    }
    return new Promise((resolve, reject) =>
      this.sendPing(link, { timeoutMs: this.options.ackTimeoutMs, resolve, reject }),
    );
  }

  /** Skips the backoff wait and tries to connect now (e.g. when the browser comes online). */
  reconnectNow(): void {
    if (this.currentState !== 'disconnected' || !this.started || this.opening || this.candidate) return;
    this.clearRetryTimer();
    void this.openCandidate('connect');
  }

  /**
   * Checks the connection now, as the `online` and `visibilitychange` events do (see the
   * `wakeSignals` option): connected, a ping — no pong within `probeTimeoutMs` means the socket
   * died (asleep, on another network) and the client reconnects; waiting before an attempt,
   * the attempt starts now.
   */
  checkConnection(): void {
    if (!this.started || this.currentState === 'closed') return;
    if (this.currentState === 'disconnected') {
      this.reconnectNow();
      return;
    }
    const link = this.active;
    if (this.currentState === 'connected' && link?.phase === 'live') this.probeLink(link);
  }

  // ---- Requests -------------------------------------------------------------------------

  private request<T>(
    frame: Action,
    how: { ordered: boolean; resend: boolean; conversationId?: string | undefined; timeoutMs?: number | undefined },
  ): Promise<T> {
    if (this.currentState === 'closed') return Promise.reject(new MissiveError('closed', 'the client is closed'));
    return new Promise<T>((resolve, reject) => {
      const request: OutgoingRequest<T> = {
        seq: ++this.requestSeq,
        frame,
        ordered: how.ordered,
        conversationId: how.conversationId,
        resend: how.resend,
        status: 'queued',
        requestId: undefined,
        link: undefined,
        writes: 0,
        retries: 0,
        ackTimer: undefined,
        retryTimer: undefined,
        deadlineTimer: undefined,
        resolve,
        reject,
      };
      if (how.timeoutMs !== undefined && how.timeoutMs > 0 && Number.isFinite(how.timeoutMs)) {
        request.deadlineTimer = this.clock.setTimeout(
          () =>
            this.fail(
              request as OutgoingRequest,
              new MissiveError('timeout', `${frame.action}: no answer in ${how.timeoutMs} ms`),
            ),
          how.timeoutMs,
        );
      }
      this.outbox.add(request as OutgoingRequest);
      this.flush();
    });
  }

  /** Writes what may be written on the live socket. */
  private flush(): void {
    const link = this.active;
    if (!link || link.phase !== 'live') return;
    for (const request of this.outbox.writable()) {
      if (link.phase !== 'live') return; // a failed write below lost the socket
      this.write(request, link);
    }
  }

  private write(request: OutgoingRequest, link: Link): void {
    const requestId = this.nextRequestId();
    this.outbox.written(request, requestId, link);
    request.ackTimer = this.clock.setTimeout(() => this.overdue(request, link), this.options.ackTimeoutMs);
    if (!link.send({ ...request.frame, requestId })) this.loseLink(link, 'write failed');
  }

  /**
   * No answer within the ack timeout. On the live socket: ping it before giving it up (a slow
   * server is not a dead socket); on a socket being replaced: give it up, the request moves on.
   */
  private overdue(request: OutgoingRequest, link: Link): void {
    request.ackTimer = undefined;
    if (link === this.active && link.phase === 'live') this.probeLink(link, request);
    else this.loseLink(link, `no answer to ${request.frame.action} in ${this.options.ackTimeoutMs} ms`);
  }

  /**
   * Pings `link` to know whether it still works (one such ping at a time per socket). No pong
   * within `probeTimeoutMs`: the socket is lost, and its requests go to the next one. A pong:
   * the socket works, so an overdue request's frame or answer was lost: it is written again.
   */
  private probeLink(link: Link, overdue?: OutgoingRequest): void {
    for (const request of this.internal.values()) {
      if (request.link === link && request.probe) {
        if (overdue) request.probe.overdue.push(overdue);
        return;
      }
    }
    this.sendPing(link, { timeoutMs: this.options.probeTimeoutMs, probe: { overdue: overdue ? [overdue] : [] } });
  }

  /** Settles a request: forgotten, timers cleared. */
  private settle(request: OutgoingRequest): void {
    for (const timer of [request.ackTimer, request.retryTimer, request.deadlineTimer]) {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
    request.ackTimer = request.retryTimer = request.deadlineTimer = undefined;
    const link = request.link;
    this.outbox.remove(request);
    if (link instanceof Link && link.phase === 'draining') this.closeIfDrained(link);
  }

  private fail(request: OutgoingRequest, error: unknown): void {
    this.settle(request);
    request.reject(error);
  }

  private answer(request: OutgoingRequest, frame: Answer): void {
    const link = request.link;
    if (request.ackTimer !== undefined) this.clock.clearTimeout(request.ackTimer);
    request.ackTimer = undefined;
    if (frame.type === 'ack') {
      const { type: _type, requestId: _requestId, ...result } = frame;
      if ('cursor' in result && typeof result.cursor === 'string') this.tracker.markProcessed(result.cursor);
      if (request.frame.action === 'sendMessage')
        this.rememberOwnSend(request.conversationId, request.frame.clientMessageId);
      this.settle(request);
      request.resolve(result);
    } else {
      const { code, message, ...details } = refusal(frame);
      // A rate limit refuses the frame unread: writing it again later is always safe. So is any
      // frame answered `unavailable` (a transient fault of the cloud outlasted the server's
      // retries: nothing was done, or what was is safe to repeat). After a server failure only
      // a send is (its clientMessageId makes the repeat a no-op).
      // Not `quota_exceeded`: the tenant's quota is used up until its window moves on (the
      // minute, for messages), and writing again meanwhile would only be refused again. The
      // call rejects at once, with `quota` and `retryAfter`, for the app to tell the user when
      // to try again; the requests after it go on.
      const serverFault = code === 'unavailable' || (code === 'internal' && request.frame.action === 'sendMessage');
      const retry = code === 'rate_limited' || (serverFault && request.retries < 3);
      if (retry) {
        request.status = 'waiting';
        request.link = undefined;
        const delay = backoffDelay(request.retries++, this.config.backoff, this.random);
        request.retryTimer = this.clock.setTimeout(
          () => {
            request.retryTimer = undefined;
            request.status = 'queued';
            this.flush();
          },
          Math.max(delay, 50),
        );
      } else {
        this.fail(request, new MissiveError(code, message, details));
      }
    }
    if (link instanceof Link && link.phase === 'draining') this.closeIfDrained(link);
    this.flush();
  }

  // ---- Connections ----------------------------------------------------------------------

  private async openCandidate(purpose: 'connect' | 'rotate'): Promise<void> {
    if (this.currentState === 'closed' || this.opening || this.candidate) return;
    this.clearRetryTimer();
    this.opening = true;
    if (purpose === 'connect') this.setState('connecting');
    let token: unknown;
    try {
      token = await this.config.getToken();
    } catch (error) {
      token = error instanceof Error ? error : new Error(String(error));
    }
    this.opening = false;
    if (this.isClosed()) return; // closed while the token was awaited
    if (token instanceof MissiveError && token.code === 'auth_failed') {
      // The app's verdict: no token will come (signed out). Retrying would only wait forever.
      this.shutdown(token);
      return;
    }
    if (typeof token !== 'string' || token.length === 0) {
      const cause = token instanceof Error ? token : undefined;
      this.emitError(
        new MissiveError('token_error', `getToken() failed: ${cause?.message ?? 'not a non-empty string'}`, { cause }),
      );
      this.attemptFailed('no token');
      return;
    }
    let socket;
    try {
      socket = new this.WebSocketImpl(this.socketUrl(token));
    } catch (error) {
      this.emitError(new MissiveError('network_error', `cannot open a WebSocket: ${String(error)}`, { cause: error }));
      this.attemptFailed('cannot open a WebSocket');
      return;
    }
    this.lastToken = token;
    const link = new Link(++this.linkCount, socket, this.clock);
    this.candidate = link;
    socket.onopen = () => this.onOpen(link);
    socket.onmessage = (event: { data: unknown }) => this.onFrame(link, event.data);
    socket.onclose = (event: { code?: number; reason?: string }) =>
      this.onSocketClosed(link, `closed (${event?.code ?? 'no code'}${event?.reason ? `: ${event.reason}` : ''})`);
    socket.onerror = () => {
      // Always followed by a close event, which carries what there is to know.
    };
    link.connectTimer = this.clock.setTimeout(
      () => this.loseLink(link, `not open after ${this.options.connectTimeoutMs} ms`),
      this.options.connectTimeoutMs,
    );
  }

  private socketUrl(token: string): string {
    const url = this.config.url;
    return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  }

  private onOpen(link: Link): void {
    if (link.phase !== 'opening') return;
    if (link.connectTimer !== undefined) this.clock.clearTimeout(link.connectTimer);
    link.connectTimer = undefined;
    link.openedAt = this.clock.now();
    link.lastSentAt = link.openedAt;
    this.refusedInARow = 0;
    // Every connection catches up, the first one too: from `since`, or from when the client
    // was made (see the constructor).
    const since = this.tracker.resumeFrom ?? cursorAt(this.clock.now() - FIRST_RESUME_LEAD_MS);
    link.phase = 'syncing';
    this.startSync(link, since, 'resume');
  }

  private startSync(link: Link, since: string, mode: 'resume' | 'settle'): void {
    const requestId = this.nextRequestId();
    const timer = this.clock.setTimeout(
      () => this.loseLink(link, `sync not answered in ${this.options.syncTimeoutMs} ms`),
      this.options.syncTimeoutMs,
    );
    this.internal.set(requestId, { kind: 'sync', link, mode, since, timer });
    if (!link.send({ action: 'sync', requestId, since })) this.loseLink(link, 'write failed');
  }

  private onSyncAnswer(requestId: string, request: InternalRequest, frame: Answer): void {
    this.clock.clearTimeout(request.timer);
    this.internal.delete(requestId);
    const link = request.link;
    const resuming = request.mode === 'resume';
    if (frame.type === 'sync.done') {
      const cursor = typeof frame.cursor === 'string' ? frame.cursor : undefined;
      const more = frame.more === true && cursor !== undefined;
      if (resuming) {
        this.deliverAll(link.held.take(more ? cursor : undefined));
        if (more) this.startSync(link, cursor as string, 'resume');
        else this.promote(link);
      } else if (more && link === this.active && link.phase === 'live') {
        this.startSync(link, cursor as string, 'settle');
      } else if (link.phase === 'draining') {
        this.closeIfDrained(link);
      }
      return;
    }
    const { code, message } = refusal(frame);
    if (code === 'sync_expired' || code === 'invalid_request') {
      // Nothing can be recovered from this point: the app reloads, live events go on.
      this.tracker.reset(cursorAt(this.clock.now() - this.options.reorderWindowMs));
      const reason = code === 'sync_expired' ? 'sync_expired' : 'invalid_cursor';
      this.emitter.emit('reload', { reason, since: request.since ?? '', message });
      if (resuming) {
        this.deliverAll(link.held.take());
        this.promote(link);
      }
    } else if (code === 'rate_limited') {
      // The frame was refused unread: ask again once the rate limit's bucket has refilled a bit.
      const delay = Math.max(50, backoffDelay(0, this.config.backoff, this.random));
      if (link.syncRetryTimer !== undefined) this.clock.clearTimeout(link.syncRetryTimer);
      link.syncRetryTimer = this.clock.setTimeout(() => {
        link.syncRetryTimer = undefined;
        if (link.phase === 'syncing' || (link.phase === 'live' && link === this.active)) {
          this.startSync(link, request.since ?? this.tracker.resumeFrom ?? '0', request.mode ?? 'resume');
        }
      }, delay);
    } else if (resuming) {
      this.loseLink(link, `sync refused: ${code}`);
    }
    if (link.phase === 'draining') this.closeIfDrained(link);
  }

  /** The socket is open and caught up: it becomes the one requests are written on. */
  private promote(link: Link): void {
    if (link.phase === 'closed') return;
    const previous = this.active;
    link.phase = 'live';
    if (this.candidate === link) this.candidate = undefined;
    this.active = link;
    this.failedAttempts = 0;
    this.failedRotations = 0;
    this.schedulePing(link);
    if (this.options.rotateAfterMs > 0) {
      // Jittered: each socket draws its own moment in the last fifth before rotateAfterMs.
      const after = rotationDelay(this.options.rotateAfterMs, this.random);
      const due = Math.max(0, link.openedAt + after - this.clock.now());
      link.rotateTimer = this.clock.setTimeout(() => this.rotate(link), due);
    }
    if (this.options.settleSyncMs > 0) {
      link.settleTimer = this.clock.setTimeout(() => {
        link.settleTimer = undefined;
        const since = this.tracker.resumeFrom;
        if (link === this.active && link.phase === 'live' && since !== null) this.startSync(link, since, 'settle');
      }, this.options.settleSyncMs);
    }
    if (previous && previous !== link) this.drain(previous);
    this.setState('connected');
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
    this.flush();
  }

  private rotate(link: Link): void {
    link.rotateTimer = undefined;
    if (link !== this.active || link.phase !== 'live') return;
    void this.openCandidate('rotate');
  }

  /** A replaced socket finishes the requests written on it, then closes. */
  private drain(link: Link): void {
    link.phase = 'draining';
    link.clearTimers();
    this.draining.add(link);
    if (this.closeIfDrained(link)) return;
    link.drainTimer = this.clock.setTimeout(() => this.loseLink(link, 'drain timeout'), this.options.ackTimeoutMs);
  }

  private closeIfDrained(link: Link): boolean {
    if (this.outbox.inflightOn(link).length > 0) return false;
    if ([...this.internal.values()].some((r) => r.link === link)) return false;
    this.draining.delete(link);
    link.close(1000, 'rotated');
    return true;
  }

  private schedulePing(link: Link): void {
    if (this.options.pingIntervalMs <= 0) return;
    const due = Math.max(0, link.lastSentAt + this.options.pingIntervalMs - this.clock.now());
    link.pingTimer = this.clock.setTimeout(() => {
      link.pingTimer = undefined;
      if (link !== this.active || link.phase !== 'live') return;
      // Only an idle socket needs one: any frame sent resets the server's idle clock.
      if (this.clock.now() - link.lastSentAt >= this.options.pingIntervalMs)
        this.sendPing(link, { timeoutMs: this.options.ackTimeoutMs });
      this.schedulePing(link);
    }, due);
  }

  private sendPing(
    link: Link,
    how: {
      timeoutMs: number;
      resolve?: () => void;
      reject?: (error: unknown) => void;
      probe?: InternalRequest['probe'];
    },
  ): void {
    const requestId = this.nextRequestId();
    const timer = this.clock.setTimeout(() => {
      this.internal.delete(requestId);
      how.reject?.(new MissiveError('timeout', `no pong in ${how.timeoutMs} ms`));
      this.loseLink(link, 'no pong');
    }, how.timeoutMs);
    const { resolve, reject, probe } = how;
    this.internal.set(requestId, { kind: 'ping', link, timer, resolve, reject, probe });
    if (!link.send({ action: 'ping', requestId })) this.loseLink(link, 'write failed');
  }

  /** Gives up on a socket the client considers dead (it closes it itself). */
  private loseLink(link: Link, reason: string): void {
    if (link.phase === 'closed') return;
    link.close(CLOSE_FAILED, reason.slice(0, 100));
    this.linkLost(link, reason);
  }

  private onSocketClosed(link: Link, reason: string): void {
    if (link.phase === 'closed') return;
    // Closed before it opened, while there is no working socket: perhaps a refused handshake
    // (401/403), which a browser cannot tell from a network failure.
    const refused = link.phase === 'opening' && this.active?.phase !== 'live';
    link.detach();
    this.linkLost(link, reason);
    if (refused) this.refusedBeforeOpen();
  }

  /**
   * After `authProbeAfter` sockets in a row closed before they opened, asks the REST API with
   * the same token (`restUrl`): refused there too, the token will never do, and the client
   * closes with `auth_failed` rather than retrying forever. Otherwise attempts go on, and the
   * next probe waits for as many refusals again.
   */
  private refusedBeforeOpen(): void {
    this.refusedInARow += 1;
    const { restUrl } = this.config;
    const token = this.lastToken;
    const after = this.options.authProbeAfter;
    if (after <= 0 || this.refusedInARow < after || !restUrl || token === undefined || this.authProbing) return;
    this.refusedInARow = 0;
    this.authProbing = true;
    void probeToken({
      restUrl,
      token,
      fetch: this.config.fetch,
      timeoutMs: this.options.probeTimeoutMs,
      clock: this.clock,
    }).then((verdict) => {
      this.authProbing = false;
      // A connection made meanwhile, or a new token tried since, makes the verdict stale.
      if (!verdict.refused || this.currentState === 'connected' || this.lastToken !== token) return;
      this.shutdown(verdict.error);
    });
  }

  private linkLost(link: Link, reason: string): void {
    for (const [requestId, request] of this.internal) {
      if (request.link !== link) continue;
      this.clock.clearTimeout(request.timer);
      this.internal.delete(requestId);
      request.reject?.(new MissiveError('disconnected', `connection lost: ${reason}`));
    }
    for (const request of this.outbox.inflightOn(link)) {
      if (request.ackTimer !== undefined) this.clock.clearTimeout(request.ackTimer);
      request.ackTimer = undefined;
      if (request.resend) {
        request.status = 'queued';
        request.link = undefined;
      } else {
        this.fail(request, new MissiveError('disconnected', `connection lost before the answer: ${reason}`));
      }
    }
    if (this.draining.delete(link)) {
      this.flush();
    } else if (link === this.candidate) {
      this.candidate = undefined;
      this.attemptFailed(reason);
    } else if (link === this.active) {
      this.active = undefined;
      if (this.candidate || this.opening) {
        // A rotation was under way: its socket takes over when it is caught up.
        this.setState('connecting', { reason });
      } else {
        this.clearRetryTimer();
        this.attemptFailed(reason);
      }
    }
  }

  /** An attempt to open a socket failed: wait (full jitter), then try again. */
  private attemptFailed(reason: string): void {
    if (this.currentState === 'closed') return;
    if (this.active && this.active.phase === 'live') {
      // A rotation attempt: the current socket still serves, so the state does not change.
      const delay = backoffDelay(this.failedRotations++, this.config.backoff, this.random);
      this.clearRetryTimer();
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        if (this.active?.phase === 'live') void this.openCandidate('rotate');
      }, delay);
      return;
    }
    const delay = backoffDelay(this.failedAttempts++, this.config.backoff, this.random);
    this.setState('disconnected', { reason, retryInMs: delay, attempt: this.failedAttempts });
    this.clearRetryTimer();
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.openCandidate('connect');
    }, delay);
  }

  private clearRetryTimer(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  // ---- Frames ---------------------------------------------------------------------------

  private onFrame(link: Link, data: unknown): void {
    if (link.phase === 'closed') return;
    const text = frameText(data);
    let frame: unknown;
    try {
      frame = text === undefined ? undefined : JSON.parse(text);
    } catch {
      frame = undefined;
    }
    if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') {
      this.emitError(new MissiveError('invalid_response', 'a frame that is not a JSON object with a type'));
      return;
    }
    // Taken as the protocol says; what the client relies on is still checked below.
    const f = frame as ServerFrame;
    switch (f.type) {
      case 'ack':
      case 'error':
      case 'pong':
      case 'sync.done': {
        const requestId = typeof f.requestId === 'string' ? f.requestId : undefined;
        const internal = requestId === undefined ? undefined : this.internal.get(requestId);
        if (internal) {
          if (internal.kind === 'sync') this.onSyncAnswer(requestId as string, internal, f);
          else this.onPong(requestId as string, internal);
          return;
        }
        const request = requestId === undefined ? undefined : this.outbox.find(requestId);
        if (request && request.link === link) {
          this.answer(request, f);
        } else if (f.type === 'error' && requestId === undefined) {
          const { code, message, ...details } = refusal(f);
          this.emitError(new MissiveError(code, message, details));
        }
        // Otherwise an answer to a write given up on: its request was written again.
        return;
      }
      default:
        // An event (of a type this client may not know): a kept one carries its cursor.
        if (hasCursor(f)) {
          if (link.phase === 'syncing') link.held.add(f);
          else this.deliverAll([f]);
        } else if (this.speaksFor(link)) {
          emitServerEvent(this.emitter, f, { late: false });
        }
    }
  }

  private onPong(requestId: string, request: InternalRequest): void {
    this.clock.clearTimeout(request.timer);
    this.internal.delete(requestId);
    request.resolve?.();
    if (request.probe) {
      // The socket works: what it left unanswered was lost on the way, and is written again.
      for (const overdue of request.probe.overdue) {
        if (overdue.status !== 'inflight' || overdue.link !== request.link) continue; // answered since
        if (overdue.resend) {
          overdue.status = 'queued';
          overdue.link = undefined;
        } else {
          const message = `${overdue.frame.action}: no answer in ${this.options.ackTimeoutMs} ms`;
          this.fail(overdue, new MissiveError('timeout', message));
        }
      }
      this.flush();
    }
    if (request.link.phase === 'draining') this.closeIfDrained(request.link);
  }

  /** Whether a socket's ephemeral signals (typing, presence) go to the app: one socket's only. */
  private speaksFor(link: Link): boolean {
    if (link === this.active) return true;
    return link === this.candidate && !(this.active && this.active.phase === 'live');
  }

  private deliverAll(events: HeldEvent[]): void {
    for (const event of events) {
      const { deliver, late } = this.tracker.admit(event.cursor);
      if (!deliver) continue;
      if (event.type === 'message.new' && this.isOwnSend(event)) continue;
      emitServerEvent(this.emitter, event, { late });
    }
  }

  /**
   * A `message.new` for a send of this client's is its answer, not news: it resolves the send
   * if the ack was lost (or has not come yet), and is not delivered as an event.
   */
  private isOwnSend(event: MessageNewEvent & { cursor: string }): boolean {
    const clientMessageId = event.message?.clientMessageId;
    if (typeof clientMessageId !== 'string') return false;
    const request = this.outbox.findSend(event.conversationId, clientMessageId);
    if (request) {
      this.rememberOwnSend(event.conversationId, clientMessageId);
      this.settle(request);
      request.resolve({ message: event.message, cursor: event.cursor });
      this.flush();
      return true;
    }
    return this.ownSends.has(`${event.conversationId}\u0000${clientMessageId}`);
  }

  private rememberOwnSend(conversationId: string | undefined, clientMessageId: unknown): void {
    if (conversationId === undefined || typeof clientMessageId !== 'string') return;
    this.ownSends.add(`${conversationId}\u0000${clientMessageId}`);
  }

  // ---- Small things ---------------------------------------------------------------------

  private setState(state: ConnectionState, details: Omit<StateChange, 'state' | 'previous'> = {}): void {
    const previous = this.currentState;
    if (previous === state || previous === 'closed') return;
    this.currentState = state;
    this.emitter.emit('state', { state, previous, ...details });
  }

  /** A method, so that TypeScript does not narrow the state across an `await`. */
  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  private nextRequestId(): string {
    return `r${++this.requestCount}`;
  }

  private emitError(error: MissiveError): void {
    this.emitter.emit('error', error);
  }

  private reportListenerError(error: unknown, event: keyof ClientEvents): void {
    if (event !== 'error' && this.emitter.listenerCount('error') > 0) {
      const message = `a listener of "${String(event)}" threw: ${error instanceof Error ? error.message : String(error)}`;
      this.emitter.emit('error', new MissiveError('listener_error', message, { cause: error }));
      return;
    }
    // Nobody listens for errors: let it surface as the app's own uncaught error would.
    this.clock.setTimeout(() => {
      throw error;
    }, 0);
  }
}

/** A kept event's cursor, checked: the client orders, holds and resumes by it. */
function hasCursor(event: ServerEvent): event is HeldEvent {
  return 'cursor' in event && typeof event.cursor === 'string';
}

/**
 * An `error` answer's code and message (stand-ins for an answer without them), and the details
 * it gives, if any: `reason` (`moderated`), `quota` and `retryAfter` (`quota_exceeded`).
 */
function refusal(frame: Answer): {
  code: string;
  message: string;
  reason: string | undefined;
  quota: string | undefined;
  retryAfter: number | undefined;
} {
  const code = 'code' in frame && typeof frame.code === 'string' ? frame.code : 'internal';
  const message = 'message' in frame && typeof frame.message === 'string' ? frame.message : code;
  // A `moderated` refusal says why (the sender's app words it in their language).
  const reason = 'reason' in frame && typeof frame.reason === 'string' ? frame.reason : undefined;
  // A `quota_exceeded` one says which quota, and in how many seconds it has room again.
  const quota = 'quota' in frame && typeof frame.quota === 'string' ? frame.quota : undefined;
  const retryAfter = 'retryAfter' in frame && typeof frame.retryAfter === 'number' ? frame.retryAfter : undefined;
  return { code, message, reason, quota, retryAfter };
}
