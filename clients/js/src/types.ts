// The shapes Missive sends and accepts, typed by hand from docs/protocol.md and docs/api.md
// (and checked against what the server actually answers). Timestamps are RFC 3339 strings;
// ids (messages, conversations, cursors) are ULIDs, which sort in time order as strings.

export type Role = 'member' | 'partner' | 'admin' | 'guest';
export type Locale = 'fr' | 'en';
export type ConversationKind = 'direct' | 'group' | 'storefront';
export type MemberRole = 'owner' | 'member';
export type TypingState = 'start' | 'stop';
export type NotificationType = 'message' | 'mention' | 'reminder' | 'event' | 'system';

/** What a `system` message (and `conversation.updated`) says happened to a group. */
export interface GroupChange {
  change: 'renamed' | 'added' | 'removed' | 'left';
  actorId: string;
  userIds?: string[];
  title?: string;
}

export interface Message {
  id: string;
  tenantId: string;
  conversationId: string;
  senderId: string;
  senderName: string;
  /** `null` once deleted (the tombstone keeps its place in history). */
  body: string | null;
  clientMessageId?: string;
  kind: 'user' | 'system';
  system?: GroupChange;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

export interface MessagePreview {
  id: string;
  senderId: string;
  senderName: string;
  body: string;
  kind: 'user' | 'system';
  createdAt: string;
  deleted: boolean;
}

export interface Participant {
  userId: string;
  name: string;
}

export interface Member {
  userId: string;
  name: string;
  role: MemberRole;
  joinedAt: string;
  lastReadMessageId: string | null;
  lastReadAt: string | null;
}

export interface Conversation {
  tenantId: string;
  id: string;
  kind: ConversationKind;
  title?: string;
  storefrontId?: string;
  createdBy: string;
  createdAt: string;
  /** The id of the latest activity; conversations are listed by it, newest first. */
  activity: string;
  lastActivityAt: string;
  lastMessage?: MessagePreview;
  participants: Participant[];
  messageCount: number;
}

/** A conversation with its members and their read markers (details, events, creation). */
export interface ConversationWithMembers extends Conversation {
  members: Member[];
}

/** A conversation as the caller's list shows it. */
export interface ConversationListItem extends Conversation {
  unreadCount: number;
  lastReadMessageId: string | null;
}

export interface ReadState {
  conversationId: string;
  userId: string;
  lastReadMessageId: string | null;
  lastReadAt: string | null;
  unreadCount: number;
}

export interface Branding {
  displayName?: string;
  logoUrl?: string;
  primaryColor?: string;
}

export interface Tenant {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  locale: Locale;
  emailFrom?: string;
  branding: Branding;
  allowedOrigins: string[];
  createdAt: string;
}

export interface User {
  tenantId: string;
  id: string;
  name: string;
  email?: string;
  locale: Locale;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export interface DirectoryUser extends User {
  online: boolean;
  lastSeenAt: string | null;
}

export interface Storefront {
  tenantId: string;
  id: string;
  title: string;
  partnerIds: string[];
  createdAt: string;
}

export interface Notification {
  tenantId: string;
  id: string;
  userId: string;
  type: NotificationType;
  title: string;
  body: string;
  actionUrl?: string;
  actionLabel?: string;
  conversationId?: string;
  messageId?: string;
  createdAt: string;
  readAt: string | null;
}

export interface Channels {
  inApp: boolean;
  email: boolean;
}

export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

export interface NotificationPreferences {
  types: Record<NotificationType, Channels>;
  emailMode: 'immediate' | 'digest' | 'off';
  quietHours: QuietHours | null;
}

export interface Reminder {
  tenantId: string;
  id: string;
  createdBy: string;
  at: string;
  title: string;
  body: string;
  users?: string[];
  conversationId?: string;
  actionUrl?: string;
  actionLabel?: string;
  status: 'pending' | 'fired';
  firedAt?: string;
  createdAt: string;
}

/** The background queues: live delivery's fan-out, notifications, e-mails. */
export type QueueName = 'fanout' | 'notifications' | 'emails';

export interface QueueStats {
  name: QueueName;
  visible: number;
  inFlight: number;
  delayed: number;
  deadLettered: number;
  oldestAgeSeconds: number | null;
  oldestDeadLetterAgeSeconds: number | null;
}

// ---- Server → client events -------------------------------------------------------------

export interface MessageNewEvent {
  type: 'message.new';
  conversationId: string;
  message: Message;
  cursor: string;
}
export interface MessageUpdatedEvent {
  type: 'message.updated';
  conversationId: string;
  message: Message;
  cursor: string;
}
export interface MessageDeletedEvent {
  type: 'message.deleted';
  conversationId: string;
  message: Message;
  cursor: string;
}
export interface ReadEvent {
  type: 'read';
  conversationId: string;
  userId: string;
  messageId: string;
  readAt: string;
  cursor: string;
}
/** One member's read marker in a `read.summary`: they have read up to `lastReadMessageId`. */
export interface ReadMark {
  userId: string;
  lastReadMessageId: string;
  lastReadAt: string;
}
/**
 * A large group's read markers that moved in the last second (groups of more than 20 members
 * get this instead of a `read` per reader). It may list the reader's own marker and markers
 * already known: a marker never goes back, so apply each entry forward only.
 */
export interface ReadSummaryEvent {
  type: 'read.summary';
  conversationId: string;
  reads: ReadMark[];
  cursor: string;
}
export interface ConversationCreatedEvent {
  type: 'conversation.created';
  conversation: ConversationWithMembers;
  cursor: string;
}
export interface ConversationUpdatedEvent {
  type: 'conversation.updated';
  conversation: ConversationWithMembers;
  change: GroupChange;
  cursor: string;
}
export interface NotificationNewEvent {
  type: 'notification.new';
  notification: Notification;
  cursor: string;
}

/** Events that change state: they carry a cursor, are kept 7 days and come back in `sync`. */
export type CursorEvent =
  | MessageNewEvent
  | MessageUpdatedEvent
  | MessageDeletedEvent
  | ReadEvent
  | ReadSummaryEvent
  | ConversationCreatedEvent
  | ConversationUpdatedEvent
  | NotificationNewEvent;

export interface TypingEvent {
  type: 'typing';
  conversationId: string;
  userId: string;
  name: string;
  state: TypingState;
  /** On `start`: stop showing it after this long without a refresh. */
  expiresInMs?: number | null;
}
/** One member typing, in a `typing.summary`: shown for `expiresInMs` unless a later summary says otherwise. */
export interface Typer {
  userId: string;
  name: string;
  expiresInMs: number;
}
/**
 * Who is typing in a large group now (groups of more than 20 members get this instead of a
 * `typing` per signal). It replaces the conversation's previous summary: a member missing from
 * it stopped typing; an empty list means nobody is typing. Sent to every member, the typists
 * included.
 */
export interface TypingSummaryEvent {
  type: 'typing.summary';
  conversationId: string;
  typing: Typer[];
}
export interface PresenceEvent {
  type: 'presence';
  userId: string;
  online: boolean;
  lastSeenAt: string | null;
}

/** Signals that are only pushed: never stored, never in `sync`, no cursor. */
export type EphemeralEvent = TypingEvent | TypingSummaryEvent | PresenceEvent;

export type ServerEvent = CursorEvent | EphemeralEvent;

// ---- Acks ---------------------------------------------------------------------------------

export interface SendAck {
  message: Message;
  /** `null` when the `clientMessageId` had been used already (the first message is answered). */
  cursor: string | null;
}
export interface MessageChangeAck {
  message: Message;
  /** `null` when nothing changed (deleting a deleted message). */
  cursor: string | null;
}
export interface MarkReadAck {
  read: ReadState;
  /** `null` when the marker did not move (an older message), and always in a large group (its move comes in a `read.summary`). */
  cursor: string | null;
}
export interface TypingAck {
  /** `false` when dropped: one signal per user, conversation and state every 2 s. */
  delivered: boolean;
}

// ---- REST bodies and pages ----------------------------------------------------------------

export type NewConversation =
  | { kind: 'direct'; userId: string }
  | { kind: 'group'; title: string; memberIds: string[] }
  | { kind: 'storefront'; storefrontId: string };

export interface UsersPage {
  users: DirectoryUser[];
  nextCursor: string | null;
}
export interface ConversationsPage {
  conversations: ConversationListItem[];
  nextCursor: string | null;
}
export interface MessagesPage {
  /** Oldest first. */
  messages: Message[];
  /** Pass as `before` for the older page; `null` when nothing older exists. */
  olderCursor: string | null;
  /** Pass as `after` for the newer page; `null` when nothing newer exists. */
  newerCursor: string | null;
}
export interface NotificationsPage {
  notifications: Notification[];
  nextCursor: string | null;
}
export interface RemindersPage {
  reminders: Reminder[];
  nextCursor: string | null;
}
export interface SyncPage {
  events: CursorEvent[];
  cursor: string;
  more: boolean;
}

export interface Me {
  user: User;
  role: Role;
  /** A guest's one conversation; `null` for everyone else. */
  conversationScope: string | null;
  tenant: { id: string; name: string; locale: Locale; branding: Branding };
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  checks: { storage: 'ok' | 'unavailable' };
}

export interface GuestSession {
  token: string;
  expiresAt: string;
  user: User;
  storefront: { id: string; title: string };
  conversation: ConversationWithMembers;
}

export interface NewTenant {
  name: string;
  id?: string;
  locale?: Locale;
  emailFrom?: string;
  branding?: Branding;
  allowedOrigins?: string[];
}
export interface TenantPatch extends Partial<NewTenant> {
  status?: 'active' | 'suspended';
}

export interface UserUpsert {
  name: string;
  email?: string;
  locale?: Locale;
  role?: Exclude<Role, 'guest'>;
  /** Required with the platform key; ignored (the admin's own tenant) with an admin token. */
  tenantId?: string;
}

export interface NewNotifications {
  users: string[];
  type: NotificationType;
  title: string;
  body?: string;
  actionUrl?: string;
  actionLabel?: string;
  /** Required with the platform key. */
  tenantId?: string;
}

export interface NotificationPreferencesInput {
  /** Absent types keep their defaults; a type given needs both channels. */
  types?: Partial<Record<NotificationType, Channels>>;
  emailMode?: 'immediate' | 'digest' | 'off';
  quietHours?: QuietHours | null;
}

export interface NewReminder {
  at: string;
  title: string;
  body?: string;
  users?: string[];
  conversationId?: string;
  actionUrl?: string;
  actionLabel?: string;
}

export interface NewStorefront {
  title: string;
  partnerIds?: string[];
  id?: string;
}

export interface OutboxEmail {
  id: string;
  file: string;
  to: string;
  subject: string;
  attempts: number;
  sentAt: string;
}
