// The REST client's token cache: `getToken()` is asked once and its answer reused, rather
// than once per request (a page's load makes a dozen calls; an app's `getToken` is often a
// request to its own backend). A token is reused until `maxAgeMs` after it came, and never
// past a minute before its JWT `exp` (when it has one). Concurrent requests share one pending
// `getToken()`. A 401 drops it (`invalidate`), so the next call asks for a new one.

import type { Clock } from './clock.js';

/** A token is not reused in its last minute: a request sent then could arrive after `exp`. */
const EXPIRY_MARGIN_MS = 60_000;

export class TokenCache {
  private token: string | undefined;
  private validUntil = 0;
  private pending: Promise<unknown> | undefined;
  /** Bumped by `invalidate`, so that a `getToken()` started before it is not cached. */
  private generation = 0;

  constructor(
    private readonly getToken: () => string | Promise<string>,
    private readonly maxAgeMs: number,
    private readonly clock: Clock,
  ) {}

  /**
   * The cached token, or a new one from `getToken()`. Resolves with whatever `getToken()`
   * gave or threw (a thrown error rejects), checking nothing: the caller does.
   */
  async get(): Promise<unknown> {
    if (this.token !== undefined && this.clock.now() < this.validUntil) return this.token;
    if (this.maxAgeMs <= 0) return this.getToken();
    if (!this.pending) {
      const generation = this.generation;
      const asked = (async () => this.getToken())();
      this.pending = asked;
      asked.then(
        (token) => {
          if (this.pending === asked) this.pending = undefined;
          if (generation !== this.generation || typeof token !== 'string' || token.length === 0) return;
          this.token = token;
          const expiry = jwtExpiry(token);
          const now = this.clock.now();
          this.validUntil = Math.min(now + this.maxAgeMs, expiry === undefined ? Infinity : expiry - EXPIRY_MARGIN_MS);
        },
        () => {
          if (this.pending === asked) this.pending = undefined;
        },
      );
    }
    return this.pending;
  }

  /** Whether `token` is the one held (a 401 with it is worth a new token and one more try). */
  holds(token: unknown): boolean {
    return this.token !== undefined && token === this.token;
  }

  /** Forgets the token (it was refused): the next `get()` asks `getToken()` again. */
  invalidate(): void {
    this.token = undefined;
    this.validUntil = 0;
    this.pending = undefined;
    this.generation += 1;
  }
}

/** A JWT's `exp` in ms, or `undefined` when the token is not a JWT with one. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { exp?: unknown };
    return typeof json.exp === 'number' && Number.isFinite(json.exp) ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
