// A conversation's stored messages as one array ordered by id, without duplicates.
//
// Messages reach a view three ways — a history page, a live event, the ack of one's own
// action — in any order and sometimes twice (a page read while a live message arrives holds it
// too). Message ids are ULIDs, which sort in the order the server accepted the messages, so
// keying by id and ordering by id gives one answer whatever the arrival order.

import type { Message, ReactionUpdatedEvent } from '@missive/client';
import { ERASED } from './erased.js';

/**
 * Which of two versions of the same message is the newer. A deletion is final — but for its
 * sender's erasure, which makes it, deleted already or not, a tombstone of no one (`~erased`,
 * its deletion time kept); otherwise the later edit wins, and of two with the same edit, the one
 * with more of its images' thumbnails made (the server only ever adds them). On a tie the one
 * already held is kept, so an unchanged repeat does not produce a new array (and no re-render).
 */
export function newerVersion(held: Message, incoming: Message): Message {
  if (held.deletedAt) return incoming.senderId === ERASED && held.senderId !== ERASED ? incoming : held;
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
 * What the server keeps apart from a message (never stored with it): its reactions, and on a
 * thread's first message the thread's summary. A page of history (or of a thread) says all of
 * it, absent meaning none; an event or an ack about the text says none of it.
 */
const KEPT_APART = ['reactions', 'replyCount', 'lastReplyAt', 'replyUserIds'] as const;
type KeptApart = Pick<Message, (typeof KEPT_APART)[number]>;

/** `message` with `apart` in place of its own (a field absent from `apart` removed). */
function withApart(message: Message, apart: KeptApart): Message {
  const next: Message = { ...message };
  for (const key of KEPT_APART) {
    if (apart[key] === undefined) delete next[key];
    else (next as KeptApart)[key] = apart[key] as never;
  }
  return next;
}

/** Whether two messages say the same of what is kept apart (no reactions and an empty list alike). */
function sameApart(a: KeptApart, b: KeptApart): boolean {
  const said = (m: KeptApart) => JSON.stringify(KEPT_APART.map((key) => m[key] ?? (key === 'reactions' ? [] : null)));
  return said(a) === said(b);
}

/**
 * `list` with `message` inserted or updated in place; the same array when nothing changed.
 * Reactions and a thread's summary are their own dimension: a page says all of a message's
 * (none when absent), so `fromPage` takes them; an event or an ack about the text
 * (`message.updated`, an edit's ack) carries none, so the held ones stay. A deleted message has
 * no reactions (its thread stays).
 */
export function upsertMessage(list: readonly Message[], message: Message, fromPage = false): readonly Message[] {
  const at = search(list, message.id);
  if (at >= 0) {
    const held = list[at] as Message;
    const newer = newerVersion(held, message);
    const apart: KeptApart = { ...(fromPage ? message : held) };
    if (newer.deletedAt) apart.reactions = undefined;
    const kept = sameApart(newer, apart) ? newer : withApart(newer, apart);
    if (kept === held) return list;
    const next = list.slice();
    next[at] = kept;
    return next;
  }
  const next = list.slice();
  next.splice(~at, 0, message);
  return next;
}

/** A reply shown in its thread only: the server keeps it out of the conversation's history, unread count and preview. */
export function inThreadOnly(message: Message): boolean {
  return !!message.parentId && !message.alsoInConversation;
}

/**
 * `list` with the thread of `reply` counting it — one more reply, its time the latest, its
 * sender among the repliers — when the thread's first message is held and the reply comes
 * after the latest one counted (a page read after the reply counts it already, and an event
 * heard twice is counted once). The same array otherwise.
 */
export function withReplyCounted(list: readonly Message[], reply: Message): readonly Message[] {
  const at = reply.parentId ? search(list, reply.parentId) : -1;
  const parent = at >= 0 ? list[at] : undefined;
  if (!parent || (parent.lastReplyAt && Date.parse(reply.createdAt) <= Date.parse(parent.lastReplyAt))) return list;
  const next = list.slice();
  next[at] = {
    ...parent,
    replyCount: (parent.replyCount ?? 0) + 1,
    lastReplyAt: reply.createdAt,
    replyUserIds: [...new Set([...(parent.replyUserIds ?? []), reply.senderId])].sort(),
  };
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

/**
 * `list` after someone's reaction (`reaction.updated`): the counts from the event; which are
 * the reader's own (`me`), as held — and the event's, when it is the reader's.
 */
export function withReactionEvent(list: readonly Message[], event: ReactionUpdatedEvent, me: string | null): readonly Message[] {
  const at = search(list, event.messageId);
  if (at < 0) return list;
  const mine = new Set(((list[at] as Message).reactions ?? []).filter((r) => r.me).map((r) => r.emoji));
  if (event.userId === me) {
    if (event.on) mine.add(event.emoji);
    else mine.delete(event.emoji);
  }
  const reactions = event.reactions.map((r) => ({ ...r, me: mine.has(r.emoji) }));
  return withReactions(list, event.messageId, reactions.length > 0 ? reactions : undefined);
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

export function upsertMessages(list: readonly Message[], messages: readonly Message[], fromPage = false): readonly Message[] {
  let next = list;
  for (const message of messages) next = upsertMessage(next, message, fromPage);
  return next;
}
