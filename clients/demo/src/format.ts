// Dates, names and senders as the screens show them.

import type { Conversation } from '@missive/client';
import type { ChatMessage } from '@missive/react';
import { DEMO_PEOPLE } from './api.js';
import type { Lang } from './i18n.js';
import { readableMentions } from './mentions.js';

const locales: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

export function formatTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(locales[lang], { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** The time for today's dates, the day and time otherwise. */
export function formatWhen(iso: string, lang: Lang): string {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const options: Intl.DateTimeFormatOptions = today
    ? { hour: '2-digit', minute: '2-digit' }
    : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(locales[lang], options).format(date);
}

export function formatClock(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(locales[lang], { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(date);
}

/**
 * Who an erased person (GDPR) is once gone: the sender of their messages, now tombstones, and
 * their place in a direct conversation — no one, their name gone too (`""`).
 */
export const ERASED = '~erased';

/** A person's name as shown: `deletedUser` ("Deleted user") for someone erased. */
export function personName(userId: string, name: string, deletedUser: string): string {
  return userId === ERASED ? deletedUser : name;
}

/** Who a message is from, as shown: `deletedUser` for an erased person's. */
export function senderName(m: { senderId: string; senderName: string }, deletedUser: string): string {
  return personName(m.senderId, m.senderName, deletedUser);
}

/**
 * How a conversation is named for `me`: a group's title, otherwise the other people's names
 * (`deletedUser` for someone erased).
 */
export function conversationName(
  c: Pick<Conversation, 'kind' | 'title' | 'participants'>,
  me: string | null,
  deletedUser: string,
): string {
  if (c.kind === 'group' && c.title) return c.title;
  const others = (c.participants ?? [])
    .filter((p) => p.userId !== me)
    .map((p) => personName(p.userId, p.name, deletedUser));
  if (others.length > 0) return others.join(', ');
  return c.title ?? '—';
}

/** Whether a bot sent the message (`senderBot`, absent for people). One's own pending sends never are. */
export function sentByBot(message: ChatMessage): boolean {
  return message.senderBot === true;
}

/** Two letters for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase() || '?';
}

/** The message of an error, whatever threw it. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A notification's text, its mentions' tokens named. A notification carries neither the
 * message's `mentions` nor the members, so any token naming one of the demo's people becomes
 * their name — one typed for someone outside the conversation too, which the chat leaves as
 * typed: a rare slip, better than "<@bob>" in every mention's toast. Other tokens stay as typed.
 */
export function notificationText(body: string): string {
  return readableMentions(body, (id) => DEMO_PEOPLE.find((p) => p.id === id)?.name);
}
