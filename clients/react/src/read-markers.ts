// How far each member of a conversation has read: their read marker, the id of the last
// message they read. A message is read by a member when their marker is at or after it (ids
// are ULIDs, ordered in time), and "read by all" when every member's is.

import type { Member } from '@missive/client';

export interface ReadMarker {
  lastReadMessageId: string | null;
  lastReadAt: string | null;
}

/** By user id. */
export type ReadMarkers = Readonly<Record<string, ReadMarker>>;

export function markersOf(members: readonly Member[]): ReadMarkers {
  const markers: Record<string, ReadMarker> = {};
  for (const m of members)
    markers[m.userId] = { lastReadMessageId: m.lastReadMessageId ?? null, lastReadAt: m.lastReadAt ?? null };
  return markers;
}

/** `markers` with `userId`'s marker moved to `messageId` — forward only, as the server moves it. */
export function advanceMarker(
  markers: ReadMarkers,
  userId: string,
  messageId: string,
  readAt: string | null,
): ReadMarkers {
  const held = markers[userId];
  if (held?.lastReadMessageId && held.lastReadMessageId >= messageId) return markers;
  return { ...markers, [userId]: { lastReadMessageId: messageId, lastReadAt: readAt ?? held?.lastReadAt ?? null } };
}

/**
 * Markers loaded over REST, merged with those moved by live events meanwhile: each user's
 * furthest wins, since a page read before a `read` event is older than it.
 */
export function mergeMarkers(loaded: ReadMarkers, live: ReadMarkers): ReadMarkers {
  let merged = loaded;
  for (const [userId, marker] of Object.entries(live)) {
    if (marker.lastReadMessageId) merged = advanceMarker(merged, userId, marker.lastReadMessageId, marker.lastReadAt);
  }
  return merged;
}

/** The users whose marker is at or after `messageId` (leave out the sender with `except`). */
export function readersOf(markers: ReadMarkers, messageId: string, except?: string | null): string[] {
  return Object.entries(markers)
    .filter(([userId, m]) => userId !== except && m.lastReadMessageId !== null && m.lastReadMessageId >= messageId)
    .map(([userId]) => userId);
}

/** Whether every member but `except` (usually the sender) has read `messageId`. */
export function isReadByAll(markers: ReadMarkers, messageId: string, except?: string | null): boolean {
  const others = Object.keys(markers).filter((userId) => userId !== except);
  return others.length > 0 && readersOf(markers, messageId, except).length === others.length;
}
