// Is this token refused? A browser's WebSocket cannot tell: a handshake answered 401 or 403
// (a bad or expired token, a suspended tenant: docs/protocol.md) is a close without a status,
// just like a network failure. The same token on a cheap authenticated REST route answers the
// question: `GET /v1/me` authenticates exactly as the WebSocket's authorizer does.

import type { Clock } from './clock.js';
import { isMissiveError, MissiveError } from './errors.js';
import { MissiveRest, type FetchLike } from './rest.js';

export type ProbeVerdict =
  /** 401 or 403: the server refuses this token; `error` says why. */
  | { refused: true; error: MissiveError }
  /** Accepted, or no answer worth acting on (offline, a timeout, a 5xx): keep trying. */
  | { refused: false };

export async function probeToken(options: {
  restUrl: string;
  token: string;
  fetch?: FetchLike | undefined;
  timeoutMs: number;
  clock: Clock;
}): Promise<ProbeVerdict> {
  try {
    const rest = new MissiveRest({
      baseUrl: options.restUrl,
      getToken: () => options.token,
      tokenCacheMs: 0,
      requestTimeoutMs: options.timeoutMs,
      clock: options.clock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    await rest.me();
    return { refused: false };
  } catch (error) {
    if (isMissiveError(error) && (error.status === 401 || error.status === 403)) {
      const refusal = new MissiveError(
        'auth_failed',
        `the token is refused (GET /v1/me answered ${error.status}: ${error.message})`,
        { status: error.status, cause: error },
      );
      return { refused: true, error: refusal };
    }
    // No fetch, offline, a timeout, a 5xx: nothing proves the token bad.
    return { refused: false };
  }
}
