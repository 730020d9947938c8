// One error type for everything the client throws or rejects with, so an app can switch on
// `code` whether the failure came from the server (REST status + body, or a WebSocket `error`
// frame) or from the client itself (network down, timeout, client closed).

/** Codes the server sends (docs/api.md, docs/protocol.md). */
export type ServerErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unknown_action'
  | 'frame_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'sync_expired'
  | 'too_large'
  | 'rate_limited'
  /**
   * The tenant's quota for its window is used up (`quota` names it, `retryAfter` says when it
   * moves on): nothing was done, and the client does not retry it on its own.
   */
  | 'quota_exceeded'
  /** A transient fault of the cloud outlasted the server's retries: safe to repeat. */
  | 'unavailable'
  /** The tenant's moderation refused a message (its `reason` says why); the same text is refused again. */
  | 'moderated'
  | 'internal';

/** Codes the client produces itself. */
export type ClientErrorCode =
  /** fetch failed before any HTTP answer (offline, DNS, refused, CORS). */
  | 'network_error'
  /** An answer that is not what the API documents (not JSON, no error body…). */
  | 'invalid_response'
  /** The call's own `timeoutMs` (or the REST client's `requestTimeoutMs`) passed before an answer. */
  | 'timeout'
  /** The call's `AbortSignal` was aborted (its reason is the error's `cause`). */
  | 'aborted'
  /**
   * The credentials are refused for good: `getToken()` threw a MissiveError with this code
   * (e.g. the user signed out), or the WebSocket was refused again and again and a REST probe
   * answered 401 or 403 with the same token. The client is closed.
   */
  | 'auth_failed'
  /** `close()` was called while the call was pending. */
  | 'closed'
  /** The call cannot wait for a connection (typing, ping) and there is none. */
  | 'not_connected'
  /** The connection dropped before the answer and the call is not safe to repeat. */
  | 'disconnected'
  /** `getToken()` threw or returned something that is not a non-empty string. */
  | 'token_error'
  /** An event listener threw; reported so that it does not break delivery. */
  | 'listener_error'
  /** The platform has no WebSocket (or fetch) and none was passed in the options. */
  | 'unsupported'
  /** Storage refused an upload's file (its `status` is storage's): the form expired, or the file is not what was declared. */
  | 'upload_failed';

export type MissiveErrorCode = ServerErrorCode | ClientErrorCode;

export class MissiveError extends Error {
  override readonly name = 'MissiveError';
  /** The server's `code`, or one of the client's own (see `ClientErrorCode`). */
  readonly code: MissiveErrorCode | (string & {});
  /** The HTTP status for REST errors; `undefined` for WebSocket and client-side errors. */
  readonly status: number | undefined;
  /**
   * What the server gave as the refusal's `reason`, when it gave one: for `moderated`, what the
   * rules found (`word`, `pattern`, `phone`, `email`, `link`) or `hook` (the pre-send hook said
   * no), so that an app tells the sender in their own words.
   */
  readonly reason: string | undefined;
  /**
   * For `quota_exceeded`: the tenant's quota that is used up — `messagesPerMinute` (a send) or
   * `uploadBytesPerDay` (an upload's form). (The others, `connections` and `emailsPerDay`, refuse
   * no call: a handshake refused looks like a failed connection, and e-mails wait.)
   */
  readonly quota: string | undefined;
  /**
   * In how many seconds to try again, when the server said: for `quota_exceeded`, when the
   * quota's window moves on (the `error` frame's or the REST body's `retryAfter`, else the
   * `Retry-After` header), e.g. to tell the user "try again in 17 s". Over REST, any error
   * answered with `Retry-After` has it (`unavailable`: 1).
   */
  readonly retryAfter: number | undefined;

  constructor(
    code: MissiveErrorCode | (string & {}),
    message: string,
    options: {
      status?: number;
      cause?: unknown;
      reason?: string | undefined;
      quota?: string | undefined;
      retryAfter?: number | undefined;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.reason = options.reason;
    this.quota = options.quota;
    this.retryAfter = options.retryAfter;
  }
}

export function isMissiveError(value: unknown): value is MissiveError {
  return value instanceof MissiveError;
}
