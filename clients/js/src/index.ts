// @missive/client — the JavaScript/TypeScript client of Missive (browsers and Node ≥ 20).

export { MissiveClient } from './connection.js';
export type { ClientEvents, ConnectionState, DeliveryInfo, ReloadInfo, StateChange } from './client-events.js';
export type { MissiveClientOptions, RequestOptions, SendOptions } from './options.js';
export { MissiveRest, type FetchLike, type MissiveRestOptions, type Upserted } from './rest.js';
export {
  MissiveError,
  isMissiveError,
  type ClientErrorCode,
  type MissiveErrorCode,
  type ServerErrorCode,
} from './errors.js';
export { backoffCeiling, backoffDelay, rotationDelay, ROTATION_JITTER, type BackoffOptions } from './backoff.js';
export { ResumeTracker, EventBuffer, type Admission, type ResumeTrackerOptions } from './resume.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { newClientMessageId } from './ids.js';
export { cursorAt, cursorTime } from './ulid.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export type * from './types.js';
