// The shapes Missive sends and accepts, under the names the client has always given them. Each
// is an alias of the server's own contract (generated/schema.ts, generated from the documents
// the server derives from its Rust types: `npm run generate`), so the client cannot drift from
// it. Timestamps are RFC 3339 strings; ids (messages, conversations, cursors) are ULIDs, which
// sort in time order as strings. Only what the documents do not describe is typed here by hand
// (the local runtime's outbox, the queues' names).

import type { components } from './generated/schema.js';

/**
 * Every schema of the server's contract: the REST API's (docs/schema/openapi.json) and the
 * WebSocket protocol's (docs/schema/protocol.schema.json), by name.
 */
export type { components } from './generated/schema.js';

export type Role = components['schemas']['Role'];
export type Locale = components['schemas']['Locale'];
export type ConversationKind = components['schemas']['ConversationKind'];
export type MemberRole = components['schemas']['MemberRole'];
export type TypingState = components['schemas']['TypingState'];
export type NotificationType = components['schemas']['NotificationType'];

/** What a `system` message (and `conversation.updated`) says happened to a group. */
export type GroupChange = components['schemas']['GroupChange'];

/**
 * A message; its `body` is `null` once deleted (the tombstone keeps its place in history, and
 * `deletedAt` is set) and for a message of files only. A reply carries `parentId` (its thread's
 * first message) and `alsoInConversation` when it shows in the conversation too; a thread's
 * first message carries `replyCount`, `lastReplyAt` and `replyUserIds` once answered.
 */
export type Message = components['schemas']['Message'];
/** A file a message carries: `image` (its size) once an image's thumbnail is made. */
export type Attachment = components['schemas']['Attachment'];
/** A short-lived link to a file (an attachment or its thumbnail), for an `<img>` or a download. */
export type FileLink = components['schemas']['FileLink'];
/** A device notifications are pushed to, as listed (never its keys). */
export type Device = components['schemas']['DeviceView'];
/** A device to register: a browser's push subscription, or a phone's FCM or APNs token. */
export type NewDevice = components['schemas']['NewDevice'];
/** The form an upload is posted with, straight to storage. */
export type UploadTicket = components['schemas']['UploadTicket'];
export type MessagePreview = components['schemas']['MessagePreview'];
export type Participant = components['schemas']['Participant'];
export type Member = components['schemas']['MemberView'];
export type Conversation = components['schemas']['Conversation'];
/** A conversation with its members and their read markers (details, events, creation). */
export type ConversationWithMembers = components['schemas']['ConversationView'];
/** A conversation as the caller's list shows it. */
export type ConversationListItem = components['schemas']['ConversationListItem'];
export type ReadState = components['schemas']['ReadState'];
export type Branding = components['schemas']['Branding'];
export type Tenant = components['schemas']['Tenant'];
export type User = components['schemas']['User'];
export type DirectoryUser = components['schemas']['DirectoryEntry'];
export type Storefront = components['schemas']['Storefront'];
export type Notification = components['schemas']['Notification'];
export type Channels = components['schemas']['Channels'];
export type QuietHours = components['schemas']['QuietHours'];
export type NotificationPreferences = components['schemas']['Preferences'];
export type Reminder = components['schemas']['Reminder'];

/**
 * The background queues: live delivery's fan-out, notifications, e-mails. Typed here: the
 * document gives a queue's name as a string.
 */
export type QueueName = 'fanout' | 'notifications' | 'emails';
export type QueueStats = components['schemas']['QueueStats'];

// ---- Server → client events (the protocol's `Event`, tagged by `type`) --------------------

export type ServerEvent = components['schemas']['Event'];
export type MessageNewEvent = Extract<ServerEvent, { type: 'message.new' }>;
export type MessageUpdatedEvent = Extract<ServerEvent, { type: 'message.updated' }>;
export type MessageDeletedEvent = Extract<ServerEvent, { type: 'message.deleted' }>;
export type ReadEvent = Extract<ServerEvent, { type: 'read' }>;
/** A message's reactions after someone reacted or took a reaction back (`me` always false: `userId`, `emoji` and `on` say whose). */
export type ReactionUpdatedEvent = Extract<ServerEvent, { type: 'reaction.updated' }>;
/** One member's read marker in a `read.summary`: they have read up to `lastReadMessageId`. */
export type ReadMark = components['schemas']['ReadMark'];
/**
 * A large group's read markers that moved in the last second (groups of more than 20 members
 * get this instead of a `read` per reader). It may list the reader's own marker and markers
 * already known: a marker never goes back, so apply each entry forward only.
 */
export type ReadSummaryEvent = Extract<ServerEvent, { type: 'read.summary' }>;
export type ConversationCreatedEvent = Extract<ServerEvent, { type: 'conversation.created' }>;
export type ConversationUpdatedEvent = Extract<ServerEvent, { type: 'conversation.updated' }>;
export type NotificationNewEvent = Extract<ServerEvent, { type: 'notification.new' }>;

/**
 * Events that change state: they carry a cursor, are kept 7 days and come back in `sync` (the
 * protocol's events that have a `cursor`).
 */
export type CursorEvent = Exclude<ServerEvent, { type: string; cursor?: never }>;

/** On `start`: stop showing it after `expiresInMs` without a refresh. */
export type TypingEvent = Extract<ServerEvent, { type: 'typing' }>;
/** One member typing, in a `typing.summary`: shown for `expiresInMs` unless a later summary says otherwise. */
export type Typer = components['schemas']['Typer'];
/**
 * Who is typing in a large group now (groups of more than 20 members get this instead of a
 * `typing` per signal). It replaces the conversation's previous summary: a member missing from
 * it stopped typing; an empty list means nobody is typing. Sent to every member, the typists
 * included.
 */
export type TypingSummaryEvent = Extract<ServerEvent, { type: 'typing.summary' }>;
export type PresenceEvent = Extract<ServerEvent, { type: 'presence' }>;

/** Signals that are only pushed: never stored, never in `sync`, no cursor. */
export type EphemeralEvent = Extract<ServerEvent, { type: string; cursor?: never }>;

// ---- Acks (the protocol's `ack` answers, as the client's calls resolve them) ---------------

/**
 * What `send` is answered: the message as stored; `cursor` is `null` when the
 * `clientMessageId` had been used already (the first message is answered).
 */
export type SendAck = Omit<
  Extract<components['schemas']['Answer'], { type: 'ack'; message: unknown }>,
  'type' | 'requestId'
>;
/** What an edit or a delete is answered; `cursor` is `null` when nothing changed (deleting a deleted message). */
export type MessageChangeAck = SendAck;
/**
 * What `markRead` is answered; `cursor` is `null` when the marker did not move (an older
 * message), and always in a large group (its move comes in a `read.summary`).
 */
export type MarkReadAck = Omit<
  Extract<components['schemas']['Answer'], { type: 'ack'; read: unknown }>,
  'type' | 'requestId'
>;
/** What `react` is answered: the message's reactions after it (`me` tells of the emoji just changed only) and the event's cursor. */
export type ReactAck = Omit<
  Extract<components['schemas']['Answer'], { type: 'ack'; reactions: unknown }>,
  'type' | 'requestId'
>;
/** What the REST `react` is answered: the message's id, its reactions after it, the event's cursor. */
export type Reacted = components['schemas']['Reacted'];
/** A pinned message: which, by whom, when. */
export type Pin = components['schemas']['Pin'];
/** A pin with its message, as `listPins` answers it. */
export type PinnedMessage = components['schemas']['PinnedMessage'];
/** What `pinMessage` and `unpinMessage` are answered: the conversation's pins, the newest first. */
export type PinsAck = Omit<
  Extract<components['schemas']['Answer'], { type: 'ack'; pins: unknown }>,
  'type' | 'requestId'
>;
/** A member's own settings of a conversation. */
export type MySettings = components['schemas']['MySettings'];
/** `GET /v1/me/unread`. */
export type UnreadTotals = components['schemas']['UnreadTotals'];
/** How many reacted with an emoji, and whether the reader did. */
export type Reaction = components['schemas']['Reaction'];
/** `delivered` is `false` when dropped: one signal per user, conversation and state every 2 s. */
export type TypingAck = Omit<
  Extract<components['schemas']['Answer'], { type: 'ack'; delivered: unknown }>,
  'type' | 'requestId'
>;

// ---- REST bodies and pages ----------------------------------------------------------------

export type NewConversation = components['schemas']['NewConversation'];

export type UsersPage = components['schemas']['UsersPage'];
export type ConversationsPage = components['schemas']['ConversationsPage'];
/**
 * A page of history, oldest first: `olderCursor` is passed as `before` for the older page,
 * `newerCursor` as `after` for the newer one; each is `null` when there is none.
 */
export type MessagesPage = components['schemas']['HistoryPage'];
/**
 * A page of a thread: its first message as it is now (`parent`, with `replyCount`,
 * `lastReplyAt` and `replyUserIds`) and replies, oldest first; the cursors as in `MessagesPage`.
 */
export type ThreadPage = components['schemas']['ThreadPage'];
export type NotificationsPage = components['schemas']['NotificationPage'];
export type RemindersPage = components['schemas']['RemindersPage'];
export type SyncPage = components['schemas']['SyncPage'];

/** The caller; `conversationScope` is a guest's one conversation, `null` for everyone else. */
export type Me = components['schemas']['Me'];

export type Health = components['schemas']['Health'];

export type GuestSession = components['schemas']['GuestSession'];

export type NewTenant = components['schemas']['NewTenant'];
export type TenantPatch = components['schemas']['TenantPatch'];

/** A tenant's FCM service account and APNs key (`PUT …/push-credentials`), never shown again. */
export type PushCredentials = components['schemas']['PushCredentials'];
/** Which of a tenant's push credentials are set. */
export type PushCredentialsView = components['schemas']['PushCredentialsView'];

/** A tenant's webhook endpoint (never its secret). */
export type Webhook = components['schemas']['WebhookView'];
export type NewWebhook = components['schemas']['NewWebhook'];
export type WebhookPatch = components['schemas']['WebhookPatch'];
/** An endpoint just made, with its signing secret: shown this once. */
export type CreatedWebhook = components['schemas']['CreatedWebhook'];
export type RotatedSecret = components['schemas']['RotatedSecret'];
export type WebhookDelivery = components['schemas']['WebhookDelivery'];
export type WebhookDeliveryPage = components['schemas']['DeliveryPage'];
export type WebhookEventType = components['schemas']['WebhookEventType'];

/** A tenant's bot (never its key). */
export type Bot = components['schemas']['BotView'];
export type NewBot = components['schemas']['NewBot'];
/** A bot just made, with its API key: shown this once. */
export type CreatedBot = components['schemas']['CreatedBot'];

/** An inbound hook of a group (never its secret). */
export type Hook = components['schemas']['HookView'];
/** A hook just made, with its `whk_…` secret: shown this once. */
export type CreatedHook = components['schemas']['CreatedHook'];

// ---- Moderation (a tenant admin) -----------------------------------------------------------

/** The contact details a rule finds: phone numbers, e-mail addresses, links. */
export type ModerationContact = components['schemas']['ContactKind'];
/** `block` refuses the message (`moderated`); `mask` stores it with what matched replaced by `•`. */
export type ModerationAction = components['schemas']['ModerationAction'];
/** One rule: in which kinds of conversation (empty: every kind), what it finds, what it does. */
export type ModerationRule = components['schemas']['ModerationRule'];
/**
 * A service of the tenant asked about every message before it is stored; `failure` is what
 * happens when it does not answer: `open` (the default) lets the message through, `closed`
 * refuses it.
 */
export type PreSendHook = components['schemas']['PreSendHook'];
/** A tenant's moderation: its rules, in order, and its pre-send hook; `updatedAt` is `null` while never set. */
export type Moderation = components['schemas']['ModerationView'];
/** What `PUT /v1/moderation` takes: the rules and the hook, replaced whole. */
export type ModerationInput = components['schemas']['ModerationInput'];
/** The moderation saved, and the hook's signing secret when a hook was set where there was none: shown this once. */
export type SavedModeration = components['schemas']['SavedModeration'];
/** A text to try against the rules, as if sent in a conversation of `kind`. */
export type ModerationCheckInput = components['schemas']['ModerationTrial'];
/** What matched (`word`, `pattern`, `phone`, `email`, `link`), or `hook` (the pre-send hook refused). */
export type ModerationReason = components['schemas']['ModerationReason'];
/** What the rules would do: `body` is the text as it would be stored (masked); nothing is stored. */
export type ModerationCheck = components['schemas']['TrialOutcome'];

/** `tenantId` is required with the platform key; ignored (the admin's own tenant) with an admin token. */
export type UserUpsert = components['schemas']['UserUpsert'];

// ---- Data exports, erasure and the audit log (a tenant admin) ------------------------------

/**
 * A user's data export: `pending` while it is made in the background, then `ready` (`lines` and
 * `bytes` counted); gone after `expiresAt`.
 */
export type Export = components['schemas']['Export'];
/**
 * An export as `getExport` answers it: `url` is its signed download link (JSON Lines, each line
 * `{ type, data }`) once `ready`, valid until `expiresAt`; `null` while `pending`.
 */
export type ExportView = components['schemas']['ExportView'];
/**
 * A person erased (`eraseUser`): gone at `erasedAt`; their messages, conversation by conversation,
 * become tombstones from no one (`senderId: '~erased'`, `senderName: ''`) in the background.
 */
export type Erasure = components['schemas']['Erasure'];
export type OffboardingStatus = components['schemas']['OffboardingStatus'];
/** What an entry of the audit log says was done (`user.exported`, `webhook.created`…). */
export type AuditAction = components['schemas']['AuditAction'];
/** Who did it: the platform operator (`kind: 'platform'`), or an admin (`kind: 'user'`, with their name then). */
export type AuditActor = components['schemas']['AuditActor'];
/** One act: when, who, what, to what (`target`, absent for the tenant itself), and `details`. */
export type AuditEntry = components['schemas']['AuditEntry'];
/** A page of the audit log, newest first; `nextCursor` (`null` at the oldest) as `cursor` for older entries. */
export type AuditPage = components['schemas']['AuditPage'];

/** `tenantId` is required with the platform key. */
export type NewNotifications = components['schemas']['NewNotifications'];

/** Absent types keep their defaults; a type given needs both channels. */
export type NotificationPreferencesInput = components['schemas']['Preferences'];

export type NewReminder = components['schemas']['NewReminder'];

export type NewStorefront = components['schemas']['NewStorefront'];

/** An e-mail the local runtime wrote (`GET /local/outbox`: not in the document, never deployed). */
export interface OutboxEmail {
  id: string;
  file: string;
  to: string;
  subject: string;
  attempts: number;
  sentAt: string;
}
