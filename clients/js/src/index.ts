// @missive/client — the JavaScript/TypeScript client of Missive (browsers and Node ≥ 20). Only
// the public API: the operator's and the local runtime's routes are `@missive/client/admin`
// (admin.ts); the other modules are internals, reached by this package's tests alone.

export { MissiveClient } from './connection.js';
export type { ClientEvents, ConnectionState, DeliveryInfo, ReloadInfo, StateChange } from './client-events.js';
export type { MissiveClientOptions, RequestOptions, SendOptions } from './options.js';
export {
  MissiveRest,
  type CallOptions,
  type FetchLike,
  type MissiveRestOptions,
  type PushRegistration,
  type Upserted,
} from './rest.js';
export type { ReplyOptions, SendFields } from './send-fields.js';
export type { UploadOptions } from './upload.js';
export { browserWakeSignals, type WakeSignals, type WakeTarget } from './wake.js';
export {
  MissiveError,
  isMissiveError,
  type ClientErrorCode,
  type MissiveErrorCode,
  type ServerErrorCode,
} from './errors.js';
export type { BackoffOptions } from './backoff.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { newClientMessageId } from './ids.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export type * from './types.js';
