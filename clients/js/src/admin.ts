// @missive/client/admin — the platform operator's and the local runtime's routes, apart from
// the app's (`@missive/client`): tenants, users ahead of their first request, the job queues and
// their dead letters, and the local runtime's mail outbox. An app that never calls them does
// not ship them.

import { MissiveRest, type CallOptions, type Upserted } from './rest.js';
import type {
  NewTenant,
  OutboxEmail,
  PushCredentials,
  PushCredentialsView,
  QueueName,
  QueueStats,
  Tenant,
  TenantPatch,
  User,
  UserUpsert,
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

  /** The platform key: a tenant's FCM and APNs credentials, replaced whole; answered without keys. */
  setPushCredentials(id: string, body: PushCredentials, options: CallOptions = {}): Promise<PushCredentialsView> {
    return this.json('PUT', '/v1/admin/tenants/{id}/push-credentials', { path: { id }, body, ...options });
  }

  /** The platform key: which of a tenant's push credentials are set. */
  getPushCredentials(id: string, options: CallOptions = {}): Promise<PushCredentialsView> {
    return this.json('GET', '/v1/admin/tenants/{id}/push-credentials', { path: { id }, ...options });
  }

  /** A tenant admin, or the platform key with `tenantId`: creates (`created`) or updates a user. */
  putUser(userId: string, body: UserUpsert, options: CallOptions = {}): Promise<Upserted<User>> {
    return this.call('PUT', '/v1/admin/users/{userId}', { path: { userId }, body, ...options });
  }

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
