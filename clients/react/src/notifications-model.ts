// The caller's bell: their notifications, newest first, and the unread counter, kept current
// by `notification.new`.
//
// The counter is the server's (`GET /v1/notifications/unread-count`, which counts beyond the
// pages loaded), moved by what this device sees: +1 for a new unread notification, -1 for a
// read, 0 after "read all". Reads made on another device send no event (the protocol has no
// `notification.read`), so the counter is asked again after a reconnection and on `refresh()`.

import type { Notification, NotificationNewEvent } from '@missive/client';
import type { MissiveContextValue } from './context.js';
import { listen, unsubscribeAll } from './events.js';
import { Model, Runs, type Unsubscribe } from './store.js';

export interface NotificationsQuery {
  /** Notifications per page, 1..=100; the server's default is 20. */
  limit?: number;
}

export interface NotificationsState {
  /** Newest first. */
  notifications: readonly Notification[];
  unreadCount: number;
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  hasMore: boolean;
  loadingMore: boolean;
}

const INITIAL: NotificationsState = {
  notifications: [],
  unreadCount: 0,
  status: 'loading',
  error: null,
  hasMore: false,
  loadingMore: false,
};

export class NotificationsModel extends Model<NotificationsState> {
  private readonly runs = new Runs();
  private nextCursor: string | null = null;
  private loading = false;
  /** A notification arrived while the counter was being read: whether it counts it is unknown. */
  private heardWhileLoading = false;
  private subscriptions: Unsubscribe = () => {};

  constructor(
    private readonly context: MissiveContextValue,
    private readonly query: NotificationsQuery = {},
  ) {
    super(INITIAL);
  }

  start(): void {
    const run = this.runs.next();
    this.nextCursor = null;
    this.setState(INITIAL);
    let wasConnected = this.context.client.state === 'connected';
    this.subscriptions = unsubscribeAll([
      listen(this.context, 'notification.new', (event) => this.onNew(event)),
      listen(this.context, 'reload', () => void this.refresh()),
      listen(this.context, 'state', ({ state }) => {
        // Back after a drop: reads made elsewhere meanwhile sent no event.
        if (state === 'connected' && wasConnected) void this.refreshCount(run);
        if (state === 'connected') wasConnected = true;
      }),
    ]);
    void this.load(run);
  }

  stop(): void {
    this.runs.end();
    this.subscriptions();
    this.subscriptions = () => {};
  }

  /** Marks one read: the counter goes down at once, and back up if the server refuses. */
  readonly markRead = async (id: string): Promise<void> => {
    const held = this.current.notifications.find((n) => n.id === id);
    const wasUnread = held !== undefined && held.readAt == null;
    if (wasUnread) {
      this.replace({ ...held, readAt: new Date(this.context.clock.now()).toISOString() });
      this.update({ unreadCount: Math.max(0, this.current.unreadCount - 1) });
    }
    try {
      const answered = await this.context.rest.markNotificationRead(id);
      if (held) this.replace(answered);
      // One not loaded (e.g. opened from an e-mail's link) may or may not have been unread: the server knows.
      else await this.refreshCount(this.runs.current);
    } catch (error) {
      if (wasUnread) {
        this.replace(held);
        this.update({ unreadCount: this.current.unreadCount + 1 });
      }
      throw error;
    }
  };

  /** Marks every notification read: the counter is 0 at once; reloaded if the server refuses. */
  readonly markAllRead = async (): Promise<void> => {
    const readAt = new Date(this.context.clock.now()).toISOString();
    this.update({
      notifications: this.current.notifications.map((n) => (n.readAt == null ? { ...n, readAt } : n)),
      unreadCount: 0,
    });
    try {
      await this.context.rest.markAllNotificationsRead();
    } catch (error) {
      await this.refresh();
      throw error;
    }
  };

  /** Fetches the next page; failures land in `error`. */
  readonly loadMore = async (): Promise<void> => {
    const cursor = this.nextCursor;
    if (cursor === null || this.current.loadingMore || this.current.status !== 'ready') return;
    const run = this.runs.current;
    this.update({ loadingMore: true });
    try {
      const page = await this.context.rest.listNotifications({ ...this.query, cursor });
      if (!this.runs.isCurrent(run)) return;
      this.nextCursor = page.nextCursor ?? null;
      this.update({
        notifications: merged(this.current.notifications, page.notifications),
        loadingMore: false,
        error: null,
        hasMore: this.nextCursor !== null,
      });
    } catch (error) {
      if (this.runs.isCurrent(run)) this.update({ loadingMore: false, error });
    }
  };

  /** Reloads the first page and the counter (e.g. when the app comes back to the foreground). */
  readonly refresh = (): Promise<void> => this.load(this.runs.current);

  private async load(run: number): Promise<void> {
    this.loading = true;
    this.heardWhileLoading = false;
    try {
      const [page, count] = await Promise.all([
        this.context.rest.listNotifications({ ...this.query }),
        this.context.rest.unreadNotificationCount(),
      ]);
      if (!this.runs.isCurrent(run)) return;
      if (this.current.status === 'loading') this.nextCursor = page.nextCursor ?? null;
      this.loading = false;
      this.update({
        notifications: merged(this.current.notifications, page.notifications),
        unreadCount: count,
        status: 'ready',
        error: null,
        hasMore: this.nextCursor !== null,
      });
      if (this.heardWhileLoading) await this.refreshCount(run);
    } catch (error) {
      if (!this.runs.isCurrent(run)) return;
      this.loading = false;
      this.update({ status: this.current.status === 'loading' ? 'error' : this.current.status, error });
    }
  }

  private async refreshCount(run: number): Promise<void> {
    try {
      const count = await this.context.rest.unreadNotificationCount();
      if (this.runs.isCurrent(run)) this.update({ unreadCount: count });
    } catch (error) {
      if (this.runs.isCurrent(run)) this.update({ error });
    }
  }

  private onNew({ notification }: NotificationNewEvent): void {
    if (this.current.notifications.some((n) => n.id === notification.id)) return;
    if (this.loading) this.heardWhileLoading = true;
    this.update({
      notifications: merged(this.current.notifications, [notification]),
      unreadCount: this.current.unreadCount + (notification.readAt == null ? 1 : 0),
    });
  }

  private replace(notification: Notification): void {
    this.update({ notifications: merged(this.current.notifications, [notification]) });
  }
}

/** `held` with `incoming` upserted by id, newest (highest ULID) first. */
function merged(held: readonly Notification[], incoming: readonly Notification[]): readonly Notification[] {
  if (incoming.length === 0) return held;
  const byId = new Map(held.map((n) => [n.id, n]));
  for (const n of incoming) byId.set(n.id, n);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
