// @missive/client/admin — the platform operator's, the tenant admin's and the local runtime's
// routes, apart from the app's (`@missive/client`): tenants, users ahead of their first request,
// bots, webhooks, moderation, the job queues and their dead letters, and the local runtime's
// mail outbox. An app that never calls them does not ship them.

import { MissiveRest, type CallOptions, type Upserted } from './rest.js';
import type {
  AuditPage,
  Bot,
  CreatedBot,
  CreatedHook,
  CreatedWebhook,
  Erasure,
  Export,
  ExportView,
  Moderation,
  ModerationCheck,
  ModerationCheckInput,
  ModerationInput,
  NewBot,
  NewTenant,
  NewWebhook,
  OffboardingStatus,
  OutboxEmail,
  PushCredentials,
  PushCredentialsView,
  QueueName,
  QueueStats,
  RotatedSecret,
  SavedModeration,
  Tenant,
  TenantPatch,
  User,
  UserUpsert,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookPatch,
} from './types.js';

/**
 * `MissiveRest` plus the operator's routes (`/v1/admin/…`, mostly the platform key as token)
 * and the local runtime's (`/local/…`, no token; never deployed). Each takes `CallOptions`
 * last, like every REST method.
 */
export class MissiveAdmin extends MissiveRest {
  // ---- Administration -------------------------------------------------------------------

  /** The platform key. */
  createTenant(body: NewTenant, options: CallOptions = {}): Promise<Tenant> {
    return this.json('POST', '/v1/admin/tenants', { body, ...options });
  }

  /** The platform key; `status: 'suspended'` suspends. */
  updateTenant(id: string, patch: TenantPatch, options: CallOptions = {}): Promise<Tenant> {
    return this.json('PATCH', '/v1/admin/tenants/{id}', { path: { id }, body: patch, ...options });
  }

  /** The platform key: removes a suspended tenant and everything of it, in the background. */
  offboardTenant(id: string, options: CallOptions = {}): Promise<OffboardingStatus> {
    return this.json('DELETE', '/v1/admin/tenants/{id}', { path: { id }, ...options });
  }

  /** The platform key: how a tenant's offboarding goes (`none`, `running`, `done`). */
  getOffboarding(id: string, options: CallOptions = {}): Promise<OffboardingStatus> {
    return this.json('GET', '/v1/admin/tenants/{id}/offboarding', { path: { id }, ...options });
  }

  /** The platform key: a tenant's FCM and APNs credentials, replaced whole; answered without keys. */
  setPushCredentials(id: string, body: PushCredentials, options: CallOptions = {}): Promise<PushCredentialsView> {
    return this.json('PUT', '/v1/admin/tenants/{id}/push-credentials', { path: { id }, body, ...options });
  }

  /** The platform key: which of a tenant's push credentials are set. */
  getPushCredentials(id: string, options: CallOptions = {}): Promise<PushCredentialsView> {
    return this.json('GET', '/v1/admin/tenants/{id}/push-credentials', { path: { id }, ...options });
  }

  // ---- Bots (a tenant admin) ------------------------------------------------------------

  /** A bot and its API key (`mbk.…`), shown this once: the bearer token of its calls. */
  createBot(body: NewBot, options: CallOptions = {}): Promise<CreatedBot> {
    return this.json('POST', '/v1/bots', { body, ...options });
  }

  async listBots(options: CallOptions = {}): Promise<Bot[]> {
    return (await this.json('GET', '/v1/bots', options)).bots;
  }

  /** A new key, once; the previous one stops working at once. */
  async rotateBotKey(id: string, options: CallOptions = {}): Promise<string> {
    return (await this.json('POST', '/v1/bots/{id}/rotate-key', { path: { id }, ...options })).apiKey;
  }

  async revokeBotKey(id: string, options: CallOptions = {}): Promise<void> {
    await this.json('DELETE', '/v1/bots/{id}/key', { path: { id }, ...options });
  }

  // ---- Inbound hooks (a group's owner) ---------------------------------------------------

  /** A hook posting into group `id` as a bot named `name`; its secret (`whk_…`) shown this once. */
  createHook(id: string, name: string, options: CallOptions = {}): Promise<CreatedHook> {
    return this.json('POST', '/v1/conversations/{id}/hooks', { path: { id }, body: { name }, ...options });
  }

  /** Stops the hook (its bot stays in the group, silent). */
  async deleteHook(id: string, hookId: string, options: CallOptions = {}): Promise<void> {
    await this.json('DELETE', '/v1/conversations/{id}/hooks/{hookId}', { path: { id, hookId }, ...options });
  }

  // ---- Webhooks (a tenant admin) --------------------------------------------------------

  /** A new endpoint and its signing secret, shown this once. */
  createWebhook(body: NewWebhook, options: CallOptions = {}): Promise<CreatedWebhook> {
    return this.json('POST', '/v1/webhooks', { body, ...options });
  }

  async listWebhooks(options: CallOptions = {}): Promise<Webhook[]> {
    return (await this.json('GET', '/v1/webhooks', options)).webhooks;
  }

  getWebhook(id: string, options: CallOptions = {}): Promise<Webhook> {
    return this.json('GET', '/v1/webhooks/{id}', { path: { id }, ...options });
  }

  /** `enabled: true` enables a disabled endpoint again. */
  updateWebhook(id: string, patch: WebhookPatch, options: CallOptions = {}): Promise<Webhook> {
    return this.json('PATCH', '/v1/webhooks/{id}', { path: { id }, body: patch, ...options });
  }

  async deleteWebhook(id: string, options: CallOptions = {}): Promise<void> {
    await this.json('DELETE', '/v1/webhooks/{id}', { path: { id }, ...options });
  }

  /** A new secret, once; the previous one keeps signing for 24 hours. */
  rotateWebhookSecret(id: string, options: CallOptions = {}): Promise<RotatedSecret> {
    return this.json('POST', '/v1/webhooks/{id}/rotate-secret', { path: { id }, ...options });
  }

  /** Sends a `webhook.test` event; its delivery, to follow in the log. */
  testWebhook(id: string, options: CallOptions = {}): Promise<WebhookDelivery> {
    return this.json('POST', '/v1/webhooks/{id}/test', { path: { id }, ...options });
  }

  /** The last 7 days' deliveries, newest first. */
  listWebhookDeliveries(
    id: string,
    query: { cursor?: string; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<WebhookDeliveryPage> {
    return this.json('GET', '/v1/webhooks/{id}/deliveries', { path: { id }, query, ...options });
  }

  retryWebhookDelivery(id: string, deliveryId: string, options: CallOptions = {}): Promise<WebhookDelivery> {
    return this.json('POST', '/v1/webhooks/{id}/deliveries/{deliveryId}/retry', {
      path: { id, deliveryId },
      ...options,
    });
  }

  // ---- Moderation (a tenant admin) ------------------------------------------------------

  /** The tenant's rules and pre-send hook (never set: no rule, no hook, `updatedAt: null`). */
  getModeration(options: CallOptions = {}): Promise<Moderation> {
    return this.json('GET', '/v1/moderation', options);
  }

  /**
   * Replaces the rules and the hook; one Missive cannot take is refused (`invalid_request`,
   * naming the field: `rules[0].patterns[1]: …`). `preSendHookSecret`: the hook's signing
   * secret, shown this once, when a hook is set where there was none.
   */
  setModeration(policy: ModerationInput, options: CallOptions = {}): Promise<SavedModeration> {
    return this.json('PUT', '/v1/moderation', { body: policy, ...options });
  }

  /** What the rules would do with `body` in a conversation of `kind`; nothing is stored, the hook is not asked. */
  checkModeration(input: ModerationCheckInput, options: CallOptions = {}): Promise<ModerationCheck> {
    return this.json('POST', '/v1/moderation/check', { body: input, ...options });
  }

  // ---- Users, their data and the audit log (a tenant admin, or the platform key) -----------

  /** A tenant admin, or the platform key with `tenantId`: creates (`created`) or updates a user. */
  putUser(userId: string, body: UserUpsert, options: CallOptions = {}): Promise<Upserted<User>> {
    return this.call('PUT', '/v1/admin/users/{userId}', { path: { userId }, body, ...options });
  }

  /**
   * A tenant admin, or the platform key with `tenantId`: a user's data, made in the background
   * (`pending`); `getExport` tells when it is `ready`. Recorded in the audit log.
   */
  requestExport(userId: string, query: { tenantId?: string } = {}, options: CallOptions = {}): Promise<Export> {
    return this.json('POST', '/v1/admin/users/{userId}/export', { path: { userId }, query, ...options });
  }

  /** An export; once `ready`, `url` downloads its JSON Lines until `expiresAt`. */
  getExport(id: string, query: { tenantId?: string } = {}, options: CallOptions = {}): Promise<ExportView> {
    return this.json('GET', '/v1/admin/exports/{id}', { path: { id }, query, ...options });
  }

  /**
   * A tenant admin (not of themself), or the platform key with `tenantId`: erases a person, for
   * good — their record at once (their token refused from then on), the rest in the background:
   * their messages become tombstones from no one (`senderId: '~erased'`). Not a bot. Audited.
   */
  eraseUser(userId: string, query: { tenantId?: string } = {}, options: CallOptions = {}): Promise<Erasure> {
    return this.json('DELETE', '/v1/admin/users/{userId}', { path: { userId }, query, ...options });
  }

  /** A tenant admin, or the platform key with `tenantId`: who did which administrative act, newest first. */
  auditLog(
    query: { cursor?: string; limit?: number; tenantId?: string } = {},
    options: CallOptions = {},
  ): Promise<AuditPage> {
    return this.json('GET', '/v1/admin/audit', { query, ...options });
  }

  // ---- Queues (the platform key) ---------------------------------------------------------

  /** The platform key only: queues hold every tenant's jobs. */
  async getQueues(options: CallOptions = {}): Promise<QueueStats[]> {
    return (await this.json('GET', '/v1/admin/queues', options)).queues;
  }

  /** Moves a queue's dead-lettered jobs back; returns how many moved. */
  async redriveQueue(name: QueueName, options: CallOptions = {}): Promise<number> {
    return (await this.json('POST', '/v1/admin/queues/{name}/redrive', { path: { name }, ...options })).moved;
  }

  // ---- The local runtime only (never deployed, so not in the OpenAPI document) ----------

  /** `GET /local/outbox`: the e-mails the local runtime wrote. */
  async localOutbox(options: CallOptions = {}): Promise<OutboxEmail[]> {
    return (await this.request<OutboxEmail[]>('GET', '/local/outbox', { auth: false, ...options })).value;
  }

  /** `POST /local/outbox/failures`: make the local mailer fail its next (or every) send. */
  async setLocalOutboxFailures(
    failures: { next?: number; always?: boolean },
    options: CallOptions = {},
  ): Promise<{ next: number; always: boolean }> {
    const call = { body: failures, auth: false, ...options };
    return (await this.request<{ next: number; always: boolean }>('POST', '/local/outbox/failures', call)).value;
  }
}
