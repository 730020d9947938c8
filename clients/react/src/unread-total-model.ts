// What waits for the user across everything — conversations with unread messages, those
// messages, unread notifications — for a tab title's or an app icon's badge.
//
// The server counts it exactly (`GET /v1/me/unread`, from each conversation's message count and
// the user's read position, muted conversations left out), which no client can from events: a
// read on another device carries no count, and the list holds one page. So the totals are asked
// again whenever something may have changed them — a message, a read (one's own included), a
// notification, a conversation changed, a reconnection — rather than moved by hand. At most one
// request is in flight, and requests start at least `MIN_INTERVAL_MS` apart: a busy group's
// messages reach every member's page, and a request per message per member would make each
// message cost as many reads as the group has members. The events heard meanwhile, however
// many, make one request when that time is up.

import type { UnreadTotals } from '@missive/client';
import type { MissiveContextValue } from './context.js';
import { listen, unsubscribeAll } from './events.js';
import { Model, Runs, type Unsubscribe } from './store.js';

export interface UnreadTotalState extends UnreadTotals {
  /** `loading` until the first answer; `error` when it could not be had. */
  status: 'loading' | 'ready' | 'error';
  /** The last request's failure; the totals held stay. */
  error: unknown;
}

/** The least time between two requests' starts (the first, on mount, goes at once). */
export const MIN_INTERVAL_MS = 5_000;

const INITIAL: UnreadTotalState = {
  conversations: 0,
  messages: 0,
  notifications: 0,
  status: 'loading',
  error: null,
};

export class UnreadTotalModel extends Model<UnreadTotalState> {
  private readonly runs = new Runs();
  private inFlight = false;
  /** Something happened while a request was in flight: its answer may be stale. */
  private queued = false;
  /** When the last request started; the next one waits until `MIN_INTERVAL_MS` after it. */
  private lastStart = -Infinity;
  private timer: unknown = undefined;
  private subscriptions: Unsubscribe = () => {};

  constructor(private readonly context: MissiveContextValue) {
    super(INITIAL);
  }

  start(): void {
    const run = this.runs.next();
    this.inFlight = false;
    this.queued = false;
    this.lastStart = -Infinity;
    this.setState(INITIAL);
    const ask = () => this.request(run);
    let wasConnected = this.context.client.state === 'connected';
    this.subscriptions = unsubscribeAll([
      // `message.new` and `read` include the echo of one's own: a send moves one's read marker.
      listen(this.context, 'message.new', ask),
      listen(this.context, 'read', ask),
      listen(this.context, 'read.summary', ask),
      listen(this.context, 'notification.new', ask),
      listen(this.context, 'conversation.updated', ask),
      // Events were lost.
      listen(this.context, 'reload', ask),
      listen(this.context, 'state', ({ state }) => {
        // Back after a drop: what happened meanwhile may not all come back as events.
        if (state === 'connected' && wasConnected) ask();
        if (state === 'connected') wasConnected = true;
      }),
    ]);
    ask();
  }

  stop(): void {
    this.runs.end();
    this.cancelTimer();
    this.subscriptions();
    this.subscriptions = () => {};
  }

  /** Asks the server again (e.g. after a change that sends no event, such as muting). */
  readonly refresh = (): void => this.request(this.runs.current);

  private request(run: number): void {
    if (!this.runs.isCurrent(run) || this.timer !== undefined) return; // one is coming: it will see this too
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    const { clock } = this.context;
    const wait = this.lastStart + MIN_INTERVAL_MS - clock.now();
    if (wait <= 0) {
      void this.load(run);
      return;
    }
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      void this.load(run);
    }, wait);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.context.clock.clearTimeout(this.timer as never);
    this.timer = undefined;
  }

  private async load(run: number): Promise<void> {
    this.inFlight = true;
    this.queued = false;
    this.lastStart = this.context.clock.now();
    try {
      const totals = await this.context.rest.unreadTotals();
      if (this.runs.isCurrent(run)) this.update({ ...totals, status: 'ready', error: null });
    } catch (error) {
      // No retry loop on a failing server: the next event or reconnection asks again.
      if (this.runs.isCurrent(run))
        this.update({ status: this.current.status === 'loading' ? 'error' : this.current.status, error });
    } finally {
      if (this.runs.isCurrent(run)) {
        this.inFlight = false;
        if (this.queued) {
          this.queued = false;
          this.request(run);
        }
      }
    }
  }
}
