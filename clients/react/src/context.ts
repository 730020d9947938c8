// What MissiveProvider shares with the hooks below it.

import { createContext, useContext } from 'react';
import type { ConversationCache } from './conversation-cache.js';
import type { PresenceStore } from './presence-store.js';
import type { ConversationServices } from './services.js';
import type { ThreadCache } from './thread-cache.js';

export interface MissiveContextValue extends ConversationServices {
  /** One presence cache for the whole app, however many components ask. */
  presence: PresenceStore;
  /** One state per conversation for the whole app, however many components show it. */
  conversations: ConversationCache;
  /** One state per thread, likewise. */
  threads: ThreadCache;
}

export const MissiveContext = createContext<MissiveContextValue | null>(null);
MissiveContext.displayName = 'MissiveContext';

/** The provider's value; throws a clear error when a hook is used outside a MissiveProvider. */
export function useMissiveContext(): MissiveContextValue {
  const value = useContext(MissiveContext);
  if (!value) throw new Error('Missive hooks must be used inside a <MissiveProvider>');
  return value;
}
