// What MissiveProvider shares with the hooks below it.

import { createContext, useContext } from 'react';
import type { Clock, MissiveClient, MissiveRest } from '@missive/client';
import type { Identity } from './identity.js';
import type { LocalEcho } from './local-echo.js';
import type { PresenceStore } from './presence-store.js';

export interface MissiveContextValue {
  client: MissiveClient;
  rest: MissiveRest;
  /** Time for the hooks' own timers (typing expiry and throttling); tests pass a fake. */
  clock: Clock;
  /** The app's own actions, re-broadcast to every hook (see local-echo.ts). */
  echo: LocalEcho;
  identity: Identity;
  /** One presence cache for the whole app, however many components ask. */
  presence: PresenceStore;
}

export const MissiveContext = createContext<MissiveContextValue | null>(null);
MissiveContext.displayName = 'MissiveContext';

/** The provider's value; throws a clear error when a hook is used outside a MissiveProvider. */
export function useMissiveContext(): MissiveContextValue {
  const value = useContext(MissiveContext);
  if (!value) throw new Error('Missive hooks must be used inside a <MissiveProvider>');
  return value;
}
