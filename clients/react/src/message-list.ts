// A conversation's stored messages as one array ordered by id, without duplicates.
//
// Messages reach a view three ways — a history page, a live event, the ack of one's own
// action — in any order and sometimes twice (a page read while a live message arrives holds it
// too). Message ids are ULIDs, which sort in the order the server accepted the messages, so
// keying by id and ordering by id gives one answer whatever the arrival order.

import type { Message } from '@missive/client';

/**
 * Which of two versions of the same message is the newer. A deletion is final; otherwise the
 * later edit wins, and of two with the same edit, the one with more of its images' thumbnails
 * made (the server only ever adds them). On a tie the one already held is kept, so an
 * unchanged repeat does not produce a new array (and no re-render).
 */
export function newerVersion(held: Message, incoming: Message): Message {
  if (held.deletedAt) return held;
  if (incoming.deletedAt) return incoming;
  const [heldEdit, incomingEdit] = [time(held.editedAt), time(incoming.editedAt)];
  if (incomingEdit !== heldEdit) return incomingEdit > heldEdit ? incoming : held;
  return imagesShown(incoming) > imagesShown(held) ? incoming : held;
}

function imagesShown(message: Message): number {
  return (message.attachments ?? []).filter((a) => a.thumbnail).length;
}

function time(timestamp: string | null | undefined): number {
  return timestamp == null ? -Infinity : Date.parse(timestamp);
}

/** The index of `id` in `list`, or where it would be inserted (as `~index`, negative). */
function search(list: readonly Message[], id: string): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const midId = (list[mid] as Message).id;
    if (midId === id) return mid;
    if (midId < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return ~lo;
}

/** `list` with `message` inserted or updated in place; the same array when nothing changed. */
export function upsertMessage(list: readonly Message[], message: Message): readonly Message[] {
  const at = search(list, message.id);
  if (at >= 0) {
    const held = list[at] as Message;
    const kept = newerVersion(held, message);
    if (kept === held) return list;
    const next = list.slice();
    next[at] = kept;
    return next;
  }
  const next = list.slice();
  next.splice(~at, 0, message);
  return next;
}

export function upsertMessages(list: readonly Message[], messages: readonly Message[]): readonly Message[] {
  let next = list;
  for (const message of messages) next = upsertMessage(next, message);
  return next;
}
