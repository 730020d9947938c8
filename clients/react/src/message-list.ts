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

/**
 * `list` with `message` inserted or updated in place; the same array when nothing changed.
 * Reactions are their own dimension: a page of history says all of a message's (none when
 * absent), so `fromPage` takes them; an event or an ack about the text (`message.updated`, an
 * edit's ack) carries none, so the held ones stay. A deleted message has none.
 */
export function upsertMessage(list: readonly Message[], message: Message, fromPage = false): readonly Message[] {
  const at = search(list, message.id);
  if (at >= 0) {
    const held = list[at] as Message;
    const newer = newerVersion(held, message);
    const reactions = newer.deletedAt ? undefined : fromPage ? message.reactions : held.reactions;
    const kept = sameReactions(newer.reactions, reactions) ? newer : { ...newer, reactions };
    if (kept === held) return list;
    const next = list.slice();
    next[at] = kept;
    return next;
  }
  const next = list.slice();
  next.splice(~at, 0, message);
  return next;
}

/** `list` with message `id`'s reactions replaced (a `reaction.updated`); the same array when it is not held. */
export function withReactions(list: readonly Message[], id: string, reactions: Message['reactions']): readonly Message[] {
  const at = search(list, id);
  if (at < 0 || (list[at] as Message).deletedAt) return list;
  const next = list.slice();
  next[at] = { ...(list[at] as Message), reactions };
  return next;
}

/** `reactions` as they will be once the reader's reaction with `emoji` is set (`on`) or taken back: shown before the server answers. */
export function toggled(
  reactions: NonNullable<Message['reactions']>,
  emoji: string,
  on: boolean,
): NonNullable<Message['reactions']> {
  const held = reactions.find((r) => r.emoji === emoji);
  if (!held) return on ? [...reactions, { emoji, count: 1, me: true }] : reactions;
  if (held.me === on) return reactions;
  const count = held.count + (on ? 1 : -1);
  return count > 0
    ? reactions.map((r) => (r.emoji === emoji ? { ...r, count, me: on } : r))
    : reactions.filter((r) => r.emoji !== emoji);
}

function sameReactions(a: Message['reactions'], b: Message['reactions']): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export function upsertMessages(list: readonly Message[], messages: readonly Message[], fromPage = false): readonly Message[] {
  let next = list;
  for (const message of messages) next = upsertMessage(next, message, fromPage);
  return next;
}
