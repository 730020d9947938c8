// The provider's client and REST helper, with the connection state and the user's id as
// React state.

import type { ConnectionState, MissiveClient, MissiveRest } from '@missive/client';
import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import { useMissiveContext } from './context.js';
import { listen, type EventListener, type EventName } from './events.js';

export interface UseMissive {
  client: MissiveClient;
  rest: MissiveRest;
  /** `connecting`, `connected`, `disconnected` or `closed`; re-renders on change. */
  state: ConnectionState;
  /** The signed-in user (the provider's `userId`, or `rest.me()`'s); `null` until known. */
  userId: string | null;
}

export function useMissive(): UseMissive {
  const { client, rest, identity } = useMissiveContext();
  const subscribeState = useCallback((onChange: () => void) => client.on('state', onChange), [client]);
  const getState = useCallback(() => client.state, [client]);
  const state = useSyncExternalStore(subscribeState, getState, getState);
  const userId = useSyncExternalStore(identity.subscribe, identity.getSnapshot, identity.getSnapshot);
  return { client, rest, state, userId };
}

/**
 * Calls `listener` for each event `name` while the component is mounted: the server's (through
 * the client) and, for messages and reads, the app's own actions done through these hooks.
 * The listener may change on every render; the subscription stays.
 */
export function useMissiveEvent<K extends EventName>(name: K, listener: EventListener<K>): void {
  const context = useMissiveContext();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(
    () =>
      listen(context, name, ((...args: Parameters<EventListener<K>>) => latest.current(...args)) as EventListener<K>),
    [context, name],
  );
}
