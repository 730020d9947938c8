// What a MissiveClient tells the app: its state, the server's events, and the exceptional
// "reload" and "error". Each event name maps to its listeners' arguments.

import type { Emitter } from './emitter.js';
import type { MissiveError } from './errors.js';
import type {
  ConversationCreatedEvent,
  ConversationUpdatedEvent,
  CursorEvent,
  MessageDeletedEvent,
  MessageNewEvent,
  MessageUpdatedEvent,
  NotificationNewEvent,
  PresenceEvent,
  ReactionUpdatedEvent,
  ReadEvent,
  ReadSummaryEvent,
  ServerEvent,
  TypingEvent,
  TypingSummaryEvent,
} from './types.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** Why the connection was lost or a connection attempt failed. */
  reason?: string;
  /** On `disconnected`: the next attempt starts after this many ms. */
  retryInMs?: number;
  /** On `disconnected`: failed attempts in a row so far. */
  attempt?: number;
  /** On `closed` by the client itself (not by `close()`): why, e.g. `auth_failed`. */
  error?: MissiveError;
}

export interface DeliveryInfo {
  /** Delivered after an event with a higher cursor (two publishes that finished out of order). */
  late: boolean;
}

export interface ReloadInfo {
  /** `sync_expired`: the resume point is older than the 7 days of events kept. */
  reason: 'sync_expired' | 'invalid_cursor';
  /** The cursor the client could not resume from. */
  since: string;
  message: string;
}

export interface ClientEvents {
  state: [change: StateChange];
  /** Every event delivered to the app, whatever its type. */
  event: [event: ServerEvent, info: DeliveryInfo];
  'message.new': [event: MessageNewEvent, info: DeliveryInfo];
  'message.updated': [event: MessageUpdatedEvent, info: DeliveryInfo];
  'message.deleted': [event: MessageDeletedEvent, info: DeliveryInfo];
  'reaction.updated': [event: ReactionUpdatedEvent, info: DeliveryInfo];
  read: [event: ReadEvent, info: DeliveryInfo];
  /** A large group's read markers that moved (instead of a `read` per reader). */
  'read.summary': [event: ReadSummaryEvent, info: DeliveryInfo];
  'conversation.created': [event: ConversationCreatedEvent, info: DeliveryInfo];
  'conversation.updated': [event: ConversationUpdatedEvent, info: DeliveryInfo];
  'notification.new': [event: NotificationNewEvent, info: DeliveryInfo];
  typing: [event: TypingEvent];
  /** Who is typing in a large group now, replacing the previous summary (instead of `typing`). */
  'typing.summary': [event: TypingSummaryEvent];
  presence: [event: PresenceEvent];
  /**
   * Missed events cannot be recovered: reload conversations and history over REST. The
   * client goes on with live events from now.
   */
  reload: [info: ReloadInfo];
  /** Problems that fail no call of the app's: a token that could not be had, a stray error frame. */
  error: [error: MissiveError];
}

const CURSOR_EVENT_TYPES: ReadonlySet<string> = new Set<CursorEvent['type']>([
  'message.new',
  'message.updated',
  'message.deleted',
  'reaction.updated',
  'read',
  'read.summary',
  'conversation.created',
  'conversation.updated',
  'notification.new',
]);

/** Emits a server event on its own channel (if the client knows its type) and on `event`. */
export function emitServerEvent(emitter: Emitter<ClientEvents>, event: ServerEvent, info: DeliveryInfo): void {
  if (event.type === 'typing') emitter.emit('typing', event);
  else if (event.type === 'typing.summary') emitter.emit('typing.summary', event);
  else if (event.type === 'presence') emitter.emit('presence', event);
  else if (CURSOR_EVENT_TYPES.has(event.type)) {
    (emitter.emit as (name: string, event: CursorEvent, info: DeliveryInfo) => void)(event.type, event, info);
  }
  emitter.emit('event', event, info);
}
