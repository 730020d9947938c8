// The REST API (docs/api.md), one method per route, over the platform's own `fetch`.
// Errors are thrown as MissiveError with the server's `code` and the HTTP status.

import { MissiveError } from './errors.js';
import { newClientMessageId } from './ids.js';
import type {
  ConversationKind,
  ConversationsPage,
  ConversationWithMembers,
  GuestSession,
  Health,
  Me,
  Message,
  MessagesPage,
  NewConversation,
  NewNotifications,
  NewReminder,
  NewStorefront,
  NewTenant,
  Notification,
  NotificationPreferences,
  NotificationPreferencesInput,
  NotificationsPage,
  OutboxEmail,
  QueueStats,
  ReadState,
  Reminder,
  RemindersPage,
  Storefront,
  SyncPage,
  Tenant,
  TenantPatch,
  User,
  UserUpsert,
  UsersPage,
  QueueName,
} from './types.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface MissiveRestOptions {
  /** The API's base URL, without `/v1`: e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /**
   * The bearer token for each request: a platform JWT, a guest token, or for the operator's
   * routes the platform key. Absent: only public routes work.
   */
  getToken?: () => string | Promise<string>;
  /** Default: the global `fetch` (Node ≥ 18, browsers). */
  fetch?: FetchLike;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
}

type Query = Record<string, string | number | boolean | null | undefined>;

interface Call {
  query?: Query;
  body?: unknown;
  /** Public routes send no token. */
  auth?: boolean;
  /** The answer is not JSON (the unsubscribe page). */
  text?: boolean;
}

/** A created-or-existing answer: `created` is true for 201, false for 200. */
export interface Upserted<T> {
  value: T;
  created: boolean;
}

export class MissiveRest {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: MissiveRestOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // The global one is bound: a browser's `fetch` called as a method of this object (`this`
    // not the window) throws "Illegal invocation".
    const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as FetchLike | undefined);
    if (!fetchImpl) throw new MissiveError('unsupported', 'no fetch implementation: pass one as the `fetch` option');
    this.fetchImpl = fetchImpl;
  }

  // ---- Health, identity, directory --------------------------------------------------------

  health(): Promise<Health> {
    // 503 (storage failing) still answers the health document: returned, not thrown.
    return this.call<Health>('GET', '/v1/health', { auth: false }, [503]).then((r) => r.value);
  }

  me(): Promise<Me> {
    return this.json('GET', '/v1/me');
  }

  listUsers(query: { q?: string; cursor?: string; limit?: number } = {}): Promise<UsersPage> {
    return this.json('GET', '/v1/users', { query });
  }

  // ---- Conversations --------------------------------------------------------------------

  listConversations(
    query: { kind?: ConversationKind; q?: string; cursor?: string; limit?: number } = {},
  ): Promise<ConversationsPage> {
    return this.json('GET', '/v1/conversations', { query });
  }

  /** A direct conversation that exists already is answered as it is (`created: false`). */
  createConversation(body: NewConversation): Promise<Upserted<ConversationWithMembers>> {
    return this.call('POST', '/v1/conversations', { body });
  }

  getConversation(id: string): Promise<ConversationWithMembers> {
    return this.json('GET', `/v1/conversations/${seg(id)}`);
  }

  renameConversation(id: string, title: string): Promise<ConversationWithMembers> {
    return this.json('PATCH', `/v1/conversations/${seg(id)}`, { body: { title } });
  }

  addMembers(id: string, userIds: string[]): Promise<ConversationWithMembers> {
    return this.json('POST', `/v1/conversations/${seg(id)}/members`, { body: { userIds } });
  }

  /** Removes a member (the group's owner), or leaves when `userId` is the caller. */
  removeMember(id: string, userId: string): Promise<ConversationWithMembers> {
    return this.json('DELETE', `/v1/conversations/${seg(id)}/members/${seg(userId)}`);
  }

  /** History, oldest first in the page; `after: '0'` starts at the first message. */
  listMessages(id: string, query: { before?: string; after?: string; limit?: number } = {}): Promise<MessagesPage> {
    return this.json('GET', `/v1/conversations/${seg(id)}/messages`, { query });
  }

  /** Messages containing `q` (case- and accent-insensitive), walking back from `before`. */
  searchMessages(id: string, q: string, query: { before?: string; limit?: number } = {}): Promise<MessagesPage> {
    return this.json('GET', `/v1/conversations/${seg(id)}/messages`, { query: { ...query, q } });
  }

  /**
   * Sends without a WebSocket. A `clientMessageId` is generated when absent: to retry after a
   * network failure, call again with the one returned in the message (`created: false` then).
   */
  postMessage(id: string, body: string, options: { clientMessageId?: string } = {}): Promise<Upserted<Message>> {
    const clientMessageId = options.clientMessageId ?? newClientMessageId();
    return this.call('POST', `/v1/conversations/${seg(id)}/messages`, { body: { body, clientMessageId } });
  }

  editMessage(id: string, messageId: string, body: string): Promise<Message> {
    return this.json('PATCH', `/v1/conversations/${seg(id)}/messages/${seg(messageId)}`, { body: { body } });
  }

  /** Answers the tombstone (also when it was deleted already). */
  deleteMessage(id: string, messageId: string): Promise<Message> {
    return this.json('DELETE', `/v1/conversations/${seg(id)}/messages/${seg(messageId)}`);
  }

  markRead(id: string, messageId: string): Promise<ReadState> {
    return this.json('POST', `/v1/conversations/${seg(id)}/read`, { body: { messageId } });
  }

  /** Missed events after `since` (`'0'`: everything kept); `sync_expired` (410) when too old. */
  sync(since: string): Promise<SyncPage> {
    return this.json('GET', '/v1/sync', { query: { since } });
  }

  // ---- Storefronts and guests -----------------------------------------------------------

  createStorefront(body: NewStorefront): Promise<Storefront> {
    return this.json('POST', '/v1/storefronts', { body });
  }

  getStorefront(id: string): Promise<Storefront> {
    return this.json('GET', `/v1/storefronts/${seg(id)}`);
  }

  /** No token needed: opens a guest's chat with a storefront; its `token` opens the WebSocket. */
  createGuestSession(storefrontId: string, body: { name: string; email?: string }): Promise<GuestSession> {
    return this.json('POST', `/v1/public/storefronts/${seg(storefrontId)}/sessions`, { body, auth: false });
  }

  // ---- Notifications, preferences, reminders --------------------------------------------

  listNotifications(query: { unread?: boolean; cursor?: string; limit?: number } = {}): Promise<NotificationsPage> {
    return this.json('GET', '/v1/notifications', { query });
  }

  async unreadNotificationCount(): Promise<number> {
    return (await this.json<{ count: number }>('GET', '/v1/notifications/unread-count')).count;
  }

  markNotificationRead(id: string): Promise<Notification> {
    return this.json('POST', `/v1/notifications/${seg(id)}/read`);
  }

  /** Returns how many were marked. */
  async markAllNotificationsRead(): Promise<number> {
    return (await this.json<{ marked: number }>('POST', '/v1/notifications/read-all')).marked;
  }

  /** A tenant admin, or the platform key with `tenantId`. */
  async createNotifications(body: NewNotifications): Promise<Notification[]> {
    return (await this.json<{ notifications: Notification[] }>('POST', '/v1/notifications', { body })).notifications;
  }

  getNotificationSettings(): Promise<NotificationPreferences> {
    return this.json('GET', '/v1/settings/notifications');
  }

  /** Replaces the preferences; absent fields take their defaults. */
  putNotificationSettings(body: NotificationPreferencesInput): Promise<NotificationPreferences> {
    return this.json('PUT', '/v1/settings/notifications', { body });
  }

  createReminder(body: NewReminder): Promise<Reminder> {
    return this.json('POST', '/v1/reminders', { body });
  }

  listReminders(query: { cursor?: string; limit?: number } = {}): Promise<RemindersPage> {
    return this.json('GET', '/v1/reminders', { query });
  }

  async deleteReminder(id: string): Promise<void> {
    await this.call('DELETE', `/v1/reminders/${seg(id)}`);
  }

  /** The e-mails' one-click link (no bearer token: the link's token is the proof). Answers an HTML page. */
  async unsubscribe(token: string, method: 'GET' | 'POST' = 'POST'): Promise<string> {
    return (await this.call<string>(method, '/v1/email/unsubscribe', { query: { token }, auth: false, text: true }))
      .value;
  }

  // ---- Administration -------------------------------------------------------------------

  /** The platform key. */
  createTenant(body: NewTenant): Promise<Tenant> {
    return this.json('POST', '/v1/admin/tenants', { body });
  }

  /** The platform key; `status: 'suspended'` suspends. */
  updateTenant(id: string, patch: TenantPatch): Promise<Tenant> {
    return this.json('PATCH', `/v1/admin/tenants/${seg(id)}`, { body: patch });
  }

  /** A tenant admin, or the platform key with `tenantId`: creates (`created`) or updates a user. */
  putUser(userId: string, body: UserUpsert): Promise<Upserted<User>> {
    return this.call('PUT', `/v1/admin/users/${seg(userId)}`, { body });
  }

  /** The platform key only: queues hold every tenant's jobs. */
  async getQueues(): Promise<QueueStats[]> {
    return (await this.json<{ queues: QueueStats[] }>('GET', '/v1/admin/queues')).queues;
  }

  /** Moves a queue's dead-lettered jobs back; returns how many moved. */
  async redriveQueue(name: QueueName): Promise<number> {
    return (await this.json<{ queue: string; moved: number }>('POST', `/v1/admin/queues/${seg(name)}/redrive`)).moved;
  }

  // ---- The local runtime only (never deployed) ------------------------------------------

  /** `GET /local/outbox`: the e-mails the local runtime wrote. */
  localOutbox(): Promise<OutboxEmail[]> {
    return this.json('GET', '/local/outbox', { auth: false });
  }

  /** `POST /local/outbox/failures`: make the local mailer fail its next (or every) send. */
  setLocalOutboxFailures(failures: { next?: number; always?: boolean }): Promise<{ next: number; always: boolean }> {
    return this.json('POST', '/local/outbox/failures', { body: failures, auth: false });
  }

  // ---- Transport ------------------------------------------------------------------------

  private async json<T>(method: string, path: string, call: Call = {}): Promise<T> {
    return (await this.call<T>(method, path, call)).value;
  }

  /** One request; `alsoOk` are error statuses whose body is still the answer. */
  private async call<T>(method: string, path: string, call: Call = {}, alsoOk: number[] = []): Promise<Upserted<T>> {
    const headers: Record<string, string> = {
      accept: call.text ? 'text/html' : 'application/json',
      ...this.options.headers,
    };
    if (call.auth !== false && this.options.getToken) {
      let token: unknown;
      try {
        token = await this.options.getToken();
      } catch (error) {
        throw new MissiveError('token_error', `getToken() failed: ${String(error)}`, { cause: error });
      }
      if (typeof token !== 'string' || token.length === 0)
        throw new MissiveError('token_error', 'getToken() gave no token');
      headers['authorization'] = `Bearer ${token}`;
    }
    const init: RequestInit = { method, headers };
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(call.body);
    }
    const url = this.baseUrl + path + queryString(call.query);
    let response: Response;
    try {
      response = await this.fetchImpl(url, init);
    } catch (error) {
      throw new MissiveError(
        'network_error',
        `${method} ${path}: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
    const text = await response.text().catch(() => '');
    if (!response.ok && !alsoOk.includes(response.status)) throw errorFrom(response.status, text, method, path);
    if (call.text) return { value: text as T, created: response.status === 201 };
    if (response.status === 204 || text === '') return { value: undefined as T, created: false };
    try {
      return { value: JSON.parse(text) as T, created: response.status === 201 };
    } catch (error) {
      throw new MissiveError('invalid_response', `${method} ${path}: the answer is not JSON`, {
        status: response.status,
        cause: error,
      });
    }
  }
}

/** The server's `{"error":{"code","message"}}`, or a stand-in when a proxy answered. */
function errorFrom(status: number, text: string, method: string, path: string): MissiveError {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (body.error && typeof body.error.code === 'string') {
      const message = typeof body.error.message === 'string' ? body.error.message : body.error.code;
      return new MissiveError(body.error.code, message, { status });
    }
  } catch {
    // not JSON: below
  }
  const code =
    status === 429 ? 'rate_limited' : status === 503 ? 'unavailable' : status >= 500 ? 'internal' : 'invalid_response';
  return new MissiveError(code, `${method} ${path}: HTTP ${status} without an error body`, { status });
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    // Unknown or empty parameters are refused by the server: leave out what was not given.
    if (value === undefined || value === null) continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function seg(value: string): string {
  return encodeURIComponent(value);
}
