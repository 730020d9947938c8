// usePresence: whether these users are online, from the app-wide presence cache
// (presence-store.ts).

import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import { useMissiveContext } from './context.js';
import type { Presence } from './presence-store.js';

/** By user id; a user appears once known (from the directory or a live event). */
export type PresenceByUser = Readonly<Record<string, Presence>>;

export function usePresence(userIds: readonly string[]): PresenceByUser {
  const { presence } = useMissiveContext();
  // Callers usually pass a new array each render: the sorted ids are what identifies the ask.
  const key = [...new Set(userIds)].sort().join('\n');

  useEffect(() => presence.want(key === '' ? [] : key.split('\n')), [presence, key]);

  // The same object while none of these users' entries changed, so that presence changes of
  // other users do not re-render this component.
  const selected = useRef<{ key: string; entries: (Presence | undefined)[]; value: PresenceByUser } | null>(null);
  const getSnapshot = useCallback((): PresenceByUser => {
    const ids = key === '' ? [] : key.split('\n');
    const snapshot = presence.getSnapshot();
    const entries = ids.map((id) => snapshot.get(id));
    const held = selected.current;
    if (held && held.key === key && entries.every((e, i) => e === held.entries[i])) return held.value;
    const value: Record<string, Presence> = {};
    ids.forEach((id, i) => {
      const entry = entries[i];
      if (entry) value[id] = entry;
    });
    selected.current = { key, entries, value };
    return value;
  }, [presence, key]);

  return useSyncExternalStore(presence.subscribe, getSnapshot, getSnapshot);
}
