// The REST API (docs/api.md), one method per route, over the platform's own `fetch`.
// Errors are thrown as MissiveError with the server's `code` and the HTTP status. Each route's
// path, method, parameters, body and answer are checked against the server's OpenAPI document
// (its generated `paths`): a route or a body the document does not have does not compile.

import { systemClock, type Clock } from './clock.js';
import { MissiveError } from './errors.js';
import { newClientMessageId } from './ids.js';
import type { paths } from './generated/schema.js';
import { TokenCache } from './token-cache.js';
import { sendFields, type SendFields } from './send-fields.js';
import { storeFile, type UploadOptions } from './upload.js';
import type {
  ConversationKind,
  ConversationsPage,
  ConversationWithMembers,
  Device,
  FileLink,
  GuestSession,
  Health,
  Me,
  Message,
  MessagesPage,
  NewConversation,
  NewDevice,
  NewNotifications,
  NewReminder,
  NewStorefront,
  Notification,
  NotificationPreferences,
  NotificationPreferencesInput,
  NotificationsPage,
  ReadState,
  MySettings,
  Pin,
  PinnedMessage,
  Reacted,
  UnreadTotals,
  Reminder,
  RemindersPage,
  Storefront,
  SyncPage,
  ThreadPage,
  UsersPage,
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
  /**
   * A request without a whole answer after this long is aborted and rejects with `timeout`.
   * Default 30 000; 0: no limit. A call's own `timeoutMs` overrides it.
   */
  requestTimeoutMs?: number;
  /**
   * How long a token from `getToken()` is reused, at most: never within a minute of its JWT
   * `exp`, and a 401 drops it (the call is tried once more with a new token). Default 300 000;
   * 0: `getToken()` for every request.
   */
  tokenCacheMs?: number;
  /** Time and timers (the request timeout, the token cache); tests pass a fake. */
  clock?: Clock;
}

/** What every REST method takes last. */
export interface CallOptions {
  /** Aborts the request: it rejects with `aborted` (the signal's reason as `cause`). */
  signal?: AbortSignal | undefined;
  /** This call's timeout, instead of `requestTimeoutMs` (0: none). Rejects with `timeout`. */
  timeoutMs?: number | undefined;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** What one request is made of, whatever its route (the transport's view). */
interface Call extends CallOptions {
  query?: Query;
  body?: unknown;
  /** Public routes send no token. */
  auth?: boolean;
  /** The answer is not JSON (the unsubscribe page). */
  text?: boolean;
}

// ---- Routes as the OpenAPI document describes them --------------------------------------

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
/** The document's paths that have an operation for `M`. */
type Route<M extends Method> = {
  [P in keyof paths]: paths[P][Lowercase<M>] extends { responses: unknown } ? P : never;
}[keyof paths];
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][Lowercase<M>]>;
type PathParams<O> = O extends { parameters: { path: infer T } } ? T : never;
type QueryParams<O> = O extends { parameters: { query?: infer T } } ? T : never;
type RequestBody<O> = O extends { requestBody: { content: { 'application/json': infer T } } } ? T : never;
/**
 * What the route answers when it succeeds: its 200/201/202 JSON (or HTML) body; nothing for a
 * 204. (A status left out here would type the answer `never`, which any return type accepts.)
 */
type Answer<O> = O extends { responses: infer R } ? Content<R[keyof R & (200 | 201 | 202 | 204)]> : never;
type Content<R> = R extends { content: { 'application/json': infer T } }
  ? T
  : R extends { content: { 'text/html': infer T } }
    ? T
    : void;
/**
 * A request to a route: its `{name}` path parameters in `path`, and `query` and `body` as the
 * document types them (each absent when the route takes none).
 */
type RouteCall<O> = Omit<Call, 'query' | 'body'> &
  ([PathParams<O>] extends [undefined] ? { path?: never } : { path: PathParams<O> }) &
  ([QueryParams<O>] extends [undefined]
    ? { query?: never }
    : {} extends QueryParams<O>
      ? { query?: QueryParams<O> }
      : { query: QueryParams<O> }) &
  ([RequestBody<O>] extends [undefined] ? { body?: never } : { body: RequestBody<O> });

/** What `enablePush` needs of a service worker's registration (`ServiceWorkerRegistration`). */
export interface PushRegistration {
  pushManager: Pick<PushManager, 'getSubscription' | 'subscribe'>;
}

/** A base64url string's bytes (the VAPID key, as `pushManager.subscribe` takes it). */
function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A created-or-existing answer: `created` is true for 201, false for 200. */
export interface Upserted<T> {
  value: T;
  created: boolean;
}

export class MissiveRest {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly tokens: TokenCache | undefined;

  constructor(private readonly options: MissiveRestOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // The global one is bound: a browser's `fetch` called as a method of this object (`this`
    // not the window) throws "Illegal invocation".
    const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as FetchLike | undefined);
    if (!fetchImpl) throw new MissiveError('unsupported', 'no fetch implementation: pass one as the `fetch` option');
    this.fetchImpl = fetchImpl;
    this.clock = options.clock ?? systemClock;
    const getToken = options.getToken;
    this.tokens = getToken && new TokenCache(getToken, options.tokenCacheMs ?? 300_000, this.clock);
  }

  // ---- Health, identity, directory --------------------------------------------------------

  health(options: CallOptions = {}): Promise<Health> {
    // 503 (storage failing) still answers the health document: returned, not thrown.
    return this.call('GET', '/v1/health', { auth: false, ...options }, [503]).then((r) => r.value);
  }

  me(options: CallOptions = {}): Promise<Me> {
    return this.json('GET', '/v1/me', options);
  }

  listUsers(
    query: { q?: string; cursor?: string; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<UsersPage> {
    return this.json('GET', '/v1/users', { query, ...options });
  }

  // ---- Conversations --------------------------------------------------------------------

  listConversations(
    query: { kind?: ConversationKind; q?: string; archived?: boolean; cursor?: string; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<ConversationsPage> {
    return this.json('GET', '/v1/conversations', { query, ...options });
  }

  /** A direct conversation that exists already is answered as it is (`created: false`). */
  createConversation(body: NewConversation, options: CallOptions = {}): Promise<Upserted<ConversationWithMembers>> {
    return this.call('POST', '/v1/conversations', { body, ...options });
  }

  getConversation(id: string, options: CallOptions = {}): Promise<ConversationWithMembers> {
    return this.json('GET', '/v1/conversations/{id}', { path: { id }, ...options });
  }

  renameConversation(id: string, title: string, options: CallOptions = {}): Promise<ConversationWithMembers> {
    return this.json('PATCH', '/v1/conversations/{id}', { path: { id }, body: { title }, ...options });
  }

  addMembers(id: string, userIds: string[], options: CallOptions = {}): Promise<ConversationWithMembers> {
    return this.json('POST', '/v1/conversations/{id}/members', { path: { id }, body: { userIds }, ...options });
  }

  /** Removes a member (the group's owner), or leaves when `userId` is the caller. */
  removeMember(id: string, userId: string, options: CallOptions = {}): Promise<ConversationWithMembers> {
    return this.json('DELETE', '/v1/conversations/{id}/members/{userId}', { path: { id, userId }, ...options });
  }

  /** History, oldest first in the page; `after: '0'` starts at the first message. */
  listMessages(
    id: string,
    query: { before?: string; after?: string; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<MessagesPage> {
    return this.json('GET', '/v1/conversations/{id}/messages', { path: { id }, query, ...options });
  }

  /** Messages containing `q` (case- and accent-insensitive), walking back from `before`. */
  searchMessages(
    id: string,
    q: string,
    query: { before?: string; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<MessagesPage> {
    return this.json('GET', '/v1/conversations/{id}/messages', { path: { id }, query: { ...query, q }, ...options });
  }

  /**
   * Sends without a WebSocket. A `clientMessageId` is generated when absent: to retry after a
   * network failure, call again with the one returned in the message (`created: false` then).
   * With `parentId`, a reply in that message's thread (`alsoInConversation`: shown in the
   * conversation too).
   */
  postMessage(
    id: string,
    body: string,
    options: { clientMessageId?: string } & SendFields & CallOptions = {},
  ): Promise<Upserted<Message>> {
    const { clientMessageId = newClientMessageId(), signal, timeoutMs } = options;
    return this.call('POST', '/v1/conversations/{id}/messages', {
      path: { id },
      body: { body, clientMessageId, ...sendFields(options) },
      signal,
      timeoutMs,
    });
  }

  /**
   * A page of a thread, named by its first message or by any of its replies: the first message
   * as it is now (`replyCount`, `lastReplyAt`, `replyUserIds`, reactions) and replies, oldest
   * first — the newest ones unless `before` (`olderCursor`) or `after` (`newerCursor`; `'0'`:
   * from the first reply) says otherwise.
   */
  listReplies(
    id: string,
    messageId: string,
    query: { before?: string; after?: string; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<ThreadPage> {
    return this.json('GET', '/v1/conversations/{id}/messages/{messageId}/replies', {
      path: { id, messageId },
      query,
      ...options,
    });
  }

  /**
   * Uploads a file to a conversation — straight to storage, through a form the API signs for
   * that one file — and answers its upload id, to send in a message's `attachments` (with
   * `send` or `postMessage`) within a day. `onProgress` hears of the bytes sent (in browsers).
   * Rejects with `invalid_request` for a type or size the tenant refuses (nothing stored), and
   * with `upload_failed` if storage refuses the file.
   */
  async upload(conversationId: string, file: Blob, options: UploadOptions = {}): Promise<string> {
    const { signal, timeoutMs } = options;
    const name = options.name ?? (file as Blob & { name?: string }).name ?? 'file';
    const declared = { name, contentType: file.type || 'application/octet-stream', size: file.size };
    const ticket = await this.json('POST', '/v1/conversations/{id}/uploads', {
      path: { id: conversationId },
      body: declared,
      signal,
      timeoutMs,
    });
    await storeFile(ticket, file, options, this.fetchImpl);
    return ticket.uploadId;
  }

  /**
   * A link to an attachment's file, or with `thumbnail` to its thumbnail (images), valid 5
   * minutes: what an `<img src>` or a download takes, with no token. `not_found` for a file the
   * caller may not read.
   */
  attachmentLink(id: string, options: { thumbnail?: boolean } & CallOptions = {}): Promise<FileLink> {
    const { thumbnail, ...call } = options;
    if (thumbnail) return this.json('GET', '/v1/attachments/{id}/thumbnail', { path: { id }, ...call });
    return this.json('GET', '/v1/attachments/{id}', { path: { id }, ...call });
  }

  editMessage(id: string, messageId: string, body: string, options: CallOptions = {}): Promise<Message> {
    return this.json('PATCH', '/v1/conversations/{id}/messages/{messageId}', {
      path: { id, messageId },
      body: { body },
      ...options,
    });
  }

  /** The caller's own settings of a conversation: `{ mutedUntil, archived }`. */
  getMySettings(id: string, options: CallOptions = {}): Promise<MySettings> {
    return this.json('GET', '/v1/conversations/{id}/me', { path: { id }, ...options });
  }

  /** Mutes (until a time: no `message` notifications, mentions still come) or archives (out of the list until its next message). */
  setMySettings(id: string, settings: MySettings, options: CallOptions = {}): Promise<MySettings> {
    return this.json('PUT', '/v1/conversations/{id}/me', { path: { id }, body: settings, ...options });
  }

  /** What waits for the caller: conversations with unread messages (muted left out), those messages, unread notifications. */
  unreadTotals(options: CallOptions = {}): Promise<UnreadTotals> {
    return this.json('GET', '/v1/me/unread', options);
  }

  /** The conversation's pins with their messages, the newest pin first. */
  async listPins(id: string, options: CallOptions = {}): Promise<PinnedMessage[]> {
    return (await this.json('GET', '/v1/conversations/{id}/pins', { path: { id }, ...options })).pins;
  }

  /** As the socket's `pinMessage`: the pins after it. */
  async pinMessage(id: string, messageId: string, options: CallOptions = {}): Promise<Pin[]> {
    return (await this.json('POST', '/v1/conversations/{id}/pins', { path: { id }, body: { messageId }, ...options })).pins;
  }

  /** As the socket's `unpinMessage`: the pins left. */
  async unpinMessage(id: string, messageId: string, options: CallOptions = {}): Promise<Pin[]> {
    return (await this.json('DELETE', '/v1/conversations/{id}/pins/{messageId}', { path: { id, messageId }, ...options }))
      .pins;
  }

  /** As the socket's `react`: the message's reactions after it. */
  react(id: string, messageId: string, emoji: string, on = true, options: CallOptions = {}): Promise<Reacted> {
    return this.json('POST', '/v1/conversations/{id}/messages/{messageId}/reactions', {
      path: { id, messageId },
      body: { emoji, on },
      ...options,
    });
  }

  /** Answers the tombstone (also when it was deleted already). */
  deleteMessage(id: string, messageId: string, options: CallOptions = {}): Promise<Message> {
    return this.json('DELETE', '/v1/conversations/{id}/messages/{messageId}', { path: { id, messageId }, ...options });
  }

  /**
   * Registers a device the caller's notifications are pushed to: a browser's subscription
   * (`{ kind: 'webpush', subscription: pushSubscription.toJSON() }`) or a phone's token
   * (`{ kind: 'fcm' | 'apns', token }`); `created: false` for one registered already. At most
   * 20 per user: one more drops the oldest.
   */
  registerDevice(device: NewDevice, options: CallOptions = {}): Promise<Upserted<Device>> {
    return this.call('POST', '/v1/me/devices', { body: device, ...options });
  }

  /** The caller's devices, the oldest first (never their keys). */
  async listDevices(options: CallOptions = {}): Promise<Device[]> {
    return (await this.json('GET', '/v1/me/devices', options)).devices;
  }

  async removeDevice(id: string, options: CallOptions = {}): Promise<void> {
    await this.json('DELETE', '/v1/me/devices/{id}', { path: { id }, ...options });
  }

  /** The stack's VAPID public key: what a browser subscribes with (`applicationServerKey`). */
  async vapidPublicKey(options: CallOptions = {}): Promise<string> {
    return (await this.json('GET', '/v1/push/vapid-public-key', options)).publicKey;
  }

  /**
   * Pushes to this browser: subscribes through `registration` (the app's service worker's;
   * the browser asks for permission, so call it from a click) and registers the subscription
   * as the caller's device. Again is harmless: the same browser is the same device.
   */
  async enablePush(registration: PushRegistration, options: CallOptions = {}): Promise<Device> {
    const manager = registration.pushManager;
    const subscription =
      (await manager.getSubscription()) ??
      (await manager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64UrlBytes(await this.vapidPublicKey(options)),
      }));
    const json = subscription.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
    return (await this.registerDevice({ kind: 'webpush', subscription: json }, options)).value;
  }

  /** No more pushes to this browser: its device removed, its subscription ended. */
  async disablePush(registration: PushRegistration, options: CallOptions = {}): Promise<void> {
    const subscription = await registration.pushManager.getSubscription();
    if (!subscription) return;
    // Registering again answers the device's id (the same browser is the same device).
    const json = subscription.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
    const device = await this.registerDevice({ kind: 'webpush', subscription: json }, options);
    await this.removeDevice(device.value.id, options);
    await subscription.unsubscribe();
  }

  markRead(id: string, messageId: string, options: CallOptions = {}): Promise<ReadState> {
    return this.json('POST', '/v1/conversations/{id}/read', { path: { id }, body: { messageId }, ...options });
  }

  /** Missed events after `since` (`'0'`: everything kept); `sync_expired` (410) when too old. */
  sync(since: string, options: CallOptions = {}): Promise<SyncPage> {
    return this.json('GET', '/v1/sync', { query: { since }, ...options });
  }

  // ---- Storefronts and guests -----------------------------------------------------------

  createStorefront(body: NewStorefront, options: CallOptions = {}): Promise<Storefront> {
    return this.json('POST', '/v1/storefronts', { body, ...options });
  }

  getStorefront(id: string, options: CallOptions = {}): Promise<Storefront> {
    return this.json('GET', '/v1/storefronts/{id}', { path: { id }, ...options });
  }

  /** No token needed: opens a guest's chat with a storefront; its `token` opens the WebSocket. */
  createGuestSession(
    storefrontId: string,
    body: { name: string; email?: string },
    options: CallOptions = {},
  ): Promise<GuestSession> {
    return this.json('POST', '/v1/public/storefronts/{id}/sessions', {
      path: { id: storefrontId },
      body,
      auth: false,
      ...options,
    });
  }

  // ---- Notifications, preferences, reminders --------------------------------------------

  listNotifications(
    query: { unread?: boolean; cursor?: string; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<NotificationsPage> {
    return this.json('GET', '/v1/notifications', { query, ...options });
  }

  async unreadNotificationCount(options: CallOptions = {}): Promise<number> {
    return (await this.json('GET', '/v1/notifications/unread-count', options)).count;
  }

  markNotificationRead(id: string, options: CallOptions = {}): Promise<Notification> {
    return this.json('POST', '/v1/notifications/{id}/read', { path: { id }, ...options });
  }

  /** Returns how many were marked. */
  async markAllNotificationsRead(options: CallOptions = {}): Promise<number> {
    return (await this.json('POST', '/v1/notifications/read-all', options)).marked;
  }

  /** A tenant admin, or the platform key with `tenantId`. */
  async createNotifications(body: NewNotifications, options: CallOptions = {}): Promise<Notification[]> {
    return (await this.json('POST', '/v1/notifications', { body, ...options })).notifications;
  }

  getNotificationSettings(options: CallOptions = {}): Promise<NotificationPreferences> {
    return this.json('GET', '/v1/settings/notifications', options);
  }

  /** Replaces the preferences; absent fields take their defaults. */
  putNotificationSettings(
    body: NotificationPreferencesInput,
    options: CallOptions = {},
  ): Promise<NotificationPreferences> {
    return this.json('PUT', '/v1/settings/notifications', { body, ...options });
  }

  createReminder(body: NewReminder, options: CallOptions = {}): Promise<Reminder> {
    return this.json('POST', '/v1/reminders', { body, ...options });
  }

  listReminders(query: { cursor?: string; limit?: number } = {}, options: CallOptions = {}): Promise<RemindersPage> {
    return this.json('GET', '/v1/reminders', { query, ...options });
  }

  async deleteReminder(id: string, options: CallOptions = {}): Promise<void> {
    await this.call('DELETE', '/v1/reminders/{id}', { path: { id }, ...options });
  }

  /** The e-mails' one-click link (no bearer token: the link's token is the proof). Answers an HTML page. */
  async unsubscribe(token: string, method: 'GET' | 'POST' = 'POST', options: CallOptions = {}): Promise<string> {
    const call = { query: { token }, auth: false, text: true, ...options };
    return (await this.call(method, '/v1/email/unsubscribe', call)).value;
  }

  // ---- Transport ------------------------------------------------------------------------

  /**
   * A route's answer. The route is the document's path (`/v1/conversations/{id}`), its
   * parameters in `call.path`.
   * @internal Also for the admin entry's subclass (admin.ts); left out of the published types.
   */
  protected async json<M extends Method, P extends Route<M>>(
    method: M,
    route: P,
    call: RouteCall<Operation<P, M>>,
  ): Promise<Answer<Operation<P, M>>> {
    return (await this.call(method, route, call)).value;
  }

  /**
   * A route's answer, and whether it was created (201). `alsoOk` are error statuses whose body
   * is still the answer.
   * @internal Also for the admin entry's subclass (admin.ts); left out of the published types.
   */
  protected async call<M extends Method, P extends Route<M>>(
    method: M,
    route: P,
    call: RouteCall<Operation<P, M>>,
    alsoOk: number[] = [],
  ): Promise<Upserted<Answer<Operation<P, M>>>> {
    const { path: params, ...rest } = call as Call & { path?: Record<string, string> };
    return this.request(method, expand(route, params), rest, alsoOk);
  }

  /**
   * One request, to a path the document may not have (the local runtime's); `alsoOk` are error
   * statuses whose body is still the answer. A 401 with a cached token is tried once more with
   * a new one (the server did nothing).
   * @internal Also for the admin entry's subclass (admin.ts); left out of the published types.
   */
  protected async request<T>(
    method: string,
    path: string,
    call: Call = {},
    alsoOk: number[] = [],
  ): Promise<Upserted<T>> {
    const timeoutMs = call.timeoutMs ?? this.options.requestTimeoutMs ?? 30_000;
    const what = `${method} ${path}`;
    if (call.signal?.aborted) throw abortedError(what, call.signal);
    // One controller aborts the fetch (and the body's reading) on the caller's signal or the
    // timeout; the race below settles the call even if a `fetch` ignores its signal.
    const controller = new AbortController();
    let stop: (error: MissiveError) => void = () => {};
    const stopped = new Promise<never>((_, reject) => {
      stop = (error) => {
        reject(error);
        controller.abort(error);
      };
    });
    stopped.catch(() => {}); // observed by the race; never an unhandled rejection
    const onAbort = (): void => stop(abortedError(what, call.signal as AbortSignal));
    call.signal?.addEventListener('abort', onAbort, { once: true });
    const timedOut = (): void => stop(new MissiveError('timeout', `${what}: no answer in ${timeoutMs} ms`));
    const timer = timeoutMs > 0 && Number.isFinite(timeoutMs) ? this.clock.setTimeout(timedOut, timeoutMs) : undefined;
    try {
      const first = await Promise.race([this.attempt<T>(method, path, call, alsoOk, controller.signal), stopped]);
      if (first !== 'token refused') return first;
      const again = this.attempt<T>(method, path, call, alsoOk, controller.signal, true);
      return (await Promise.race([again, stopped])) as Upserted<T>;
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      call.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async attempt<T>(
    method: string,
    path: string,
    call: Call,
    alsoOk: number[],
    signal: AbortSignal,
    again = false,
  ): Promise<Upserted<T> | 'token refused'> {
    const headers: Record<string, string> = {
      accept: call.text ? 'text/html' : 'application/json',
      ...this.options.headers,
    };
    let token: unknown;
    if (call.auth !== false && this.tokens) {
      try {
        token = await this.tokens.get();
      } catch (error) {
        // An app's own verdict (`auth_failed`: signed out) is passed on as it is.
        if (error instanceof MissiveError && error.code === 'auth_failed') throw error;
        throw new MissiveError('token_error', `getToken() failed: ${String(error)}`, { cause: error });
      }
      if (typeof token !== 'string' || token.length === 0)
        throw new MissiveError('token_error', 'getToken() gave no token');
      headers['authorization'] = `Bearer ${token}`;
    }
    const init: RequestInit = { method, headers, signal };
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
    if (response.status === 401 && token !== undefined && this.tokens?.holds(token)) {
      this.tokens.invalidate();
      if (!again) return 'token refused';
    }
    if (!response.ok && !alsoOk.includes(response.status)) throw errorFrom(response, text, method, path);
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

function abortedError(what: string, signal: AbortSignal): MissiveError {
  return new MissiveError('aborted', `${what}: aborted`, { cause: signal.reason });
}

/**
 * The server's `{"error":{"code","message",…}}` with its details (`reason`, `quota`,
 * `retryAfter`), or a stand-in when a proxy answered.
 */
function errorFrom(response: Response, text: string, method: string, path: string): MissiveError {
  const status = response.status;
  try {
    const { code, message, reason, quota, retryAfter } =
      (JSON.parse(text) as { error?: Record<string, unknown> }).error ?? {};
    if (typeof code === 'string') {
      return new MissiveError(code, typeof message === 'string' ? message : code, {
        status,
        reason: typeof reason === 'string' ? reason : undefined,
        quota: typeof quota === 'string' ? quota : undefined,
        // The body's seconds, or else the `Retry-After` header's (which a browser reads across
        // origins only if the server exposes it); none (0) or a date (NaN) is no figure.
        retryAfter: Number(retryAfter ?? response.headers.get('retry-after')) || undefined,
      });
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

/** A route's path with its `{name}` parameters filled in, each encoded as one segment. */
function expand(route: string, params: Record<string, string> | undefined): string {
  return route.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(params?.[name])));
}
