// The client's unanswered requests, in the order the app made them. The outbox decides what
// may be written now; the connection (connection.ts) writes, times out and answers them.

import type { TimerHandle } from './clock.js';
import type { Action } from './socket.js';

export type RequestStatus =
  /** Waiting for a connection. */
  | 'queued'
  /** Written on a connection; its answer has not come. */
  | 'inflight'
  /** Refused for now (rate limited, server failure); written again after a delay. */
  | 'waiting';

export interface OutgoingRequest<T = unknown> {
  /** Order of creation: the order requests are written in. */
  readonly seq: number;
  /** The action as it is written, but for its `requestId` (new for each write). */
  readonly frame: Readonly<Action>;
  /**
   * Written one at a time per conversation, in order. Sends, edits and deletes are: a message
   * retried after a rate limit must not overtake the one sent after it.
   */
  readonly ordered: boolean;
  readonly conversationId: string | undefined;
  /** Written again after a reconnect: only for actions whose repeat the server makes harmless. */
  readonly resend: boolean;
  status: RequestStatus;
  /** The `requestId` of the latest write; a new one for each write. */
  requestId: string | undefined;
  /** The connection it was last written on (a connection object of connection.ts). */
  link: object | undefined;
  /** Writes so far. */
  writes: number;
  /** Refusals retried so far (rate limits, server failures), for their backoff. */
  retries: number;
  ackTimer: TimerHandle | undefined;
  retryTimer: TimerHandle | undefined;
  deadlineTimer: TimerHandle | undefined;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export class Outbox {
  private readonly requests: OutgoingRequest[] = [];
  private readonly byRequestId = new Map<string, OutgoingRequest>();

  get size(): number {
    return this.requests.length;
  }

  all(): readonly OutgoingRequest[] {
    return this.requests;
  }

  add(request: OutgoingRequest): void {
    this.requests.push(request);
  }

  /** Forgets a request (answered, failed or given up on). */
  remove(request: OutgoingRequest): void {
    const index = this.requests.indexOf(request);
    if (index >= 0) this.requests.splice(index, 1);
    if (request.requestId !== undefined) this.byRequestId.delete(request.requestId);
  }

  /** Records the `requestId` a request is written with, forgetting its previous one. */
  written(request: OutgoingRequest, requestId: string, link: object): void {
    if (request.requestId !== undefined) this.byRequestId.delete(request.requestId);
    request.requestId = requestId;
    request.link = link;
    request.status = 'inflight';
    request.writes += 1;
    this.byRequestId.set(requestId, request);
  }

  find(requestId: string): OutgoingRequest | undefined {
    return this.byRequestId.get(requestId);
  }

  inflightOn(link: object): OutgoingRequest[] {
    return this.requests.filter((r) => r.status === 'inflight' && r.link === link);
  }

  /** The pending send with this `clientMessageId` in this conversation, if any. */
  findSend(conversationId: string, clientMessageId: string): OutgoingRequest | undefined {
    return this.requests.find(
      (r) =>
        r.frame.action === 'sendMessage' &&
        r.conversationId === conversationId &&
        r.frame.clientMessageId === clientMessageId,
    );
  }

  /**
   * The queued requests that may be written now, in order: an ordered request waits while an
   * earlier one of its conversation is unanswered (in flight, waiting, or queued itself).
   */
  writable(): OutgoingRequest[] {
    const busy = new Set<string>();
    const ready: OutgoingRequest[] = [];
    for (const request of this.requests) {
      const key = request.ordered ? (request.conversationId ?? '') : undefined;
      if (key !== undefined && busy.has(key)) continue;
      if (request.status === 'queued') ready.push(request);
      if (key !== undefined) busy.add(key);
    }
    return ready;
  }
}
