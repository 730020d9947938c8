// What the shared stores and their models use: the provider's client, REST client, clock,
// local echo and identity (the context less the shared stores, which are built from these).

import type { Clock, MissiveClient, MissiveRest } from '@missive/client';
import type { Identity } from './identity.js';
import type { LocalEcho } from './local-echo.js';

/** What the shared conversation cache and its models use (the context less the shared stores). */
export interface ConversationServices {
  client: MissiveClient;
  rest: MissiveRest;
  /** Time for the hooks' own timers (typing expiry and throttling, search debounce); tests pass a fake. */
  clock: Clock;
  /** The app's own actions, re-broadcast to every hook (see local-echo.ts). */
  echo: LocalEcho;
  identity: Identity;
}
