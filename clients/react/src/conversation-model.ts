// One conversation as the views show it: its history (paged back over REST, kept current by
// live events: paged-model.ts), the caller's sends in flight, who is typing and how far each
// member has read.
//
// One model per conversation for the whole provider, held by its cache (conversation-cache.ts)
// and shared by every `useConversation` of that conversation: a conversation shown twice is
// fetched once, and a send in flight or failed outlives the component that made it (navigating
// away and back shows it still, with `retry` and `discard`).
//
// An edit or a deletion shows at once, as a change laid over the stored message until the
// server answers; a refusal takes the change off, and the stored message shows again as it
// was. A reply counts in its thread's first message (`replyCount`, `lastReplyAt`,
// `replyUserIds`), and shows here only when sent `alsoInConversation`, as the server's history
// does; a thread's replies are thread-model.ts's.

import {
  type ConversationWithMembers,
  type Message,
  type MessageNewEvent,
  type Reaction,
  type ReactionUpdatedEvent,
  type ReadEvent,
  type ReadSummaryEvent,
  type TypingSummaryEvent,
} from '@missive/client';
import type { ConversationServices } from './services.js';
import { ECHO_INFO } from './local-echo.js';
import { inThreadOnly, toggled, upsertMessages, withReactionEvent, withReactions, withReplyCounted } from './message-list.js';
import type { ConversationEventName, EventOf } from './model-cache.js';
import { PagedModel, type MessagePage, type NewestLoad, type PagedState } from './paged-model.js';
import { PendingSends } from './pending-sends.js';
import { advanceMarker, markersOf, mergeMarkers, type ReadMarkers } from './read-markers.js';
import { TypingIndicators, type TypingUser } from './typing-indicators.js';

/** `status` is `error` when the history or the conversation could not be loaded. */
export interface ConversationState extends PagedState {
  conversationId: string | null;
  /** The conversation with its members; `null` until loaded. */
  conversation: ConversationWithMembers | null;
  /** The other members typing now, in the order they started. */
  typing: readonly TypingUser[];
  /** Each member's read marker, moved forward by `read` events, `read.summary` entries and their own messages. */
  readBy: ReadMarkers;
}

/** What `ConversationState` is before anything is loaded: `loading`, or `idle` without an id. */
export function initialState(conversationId: string | null): ConversationState {
  return {
    conversationId,
    status: conversationId ? 'loading' : 'idle',
    error: null,
    conversation: null,
    messages: [],
    hasOlder: false,
    loadingOlder: false,
    typing: [],
    readBy: {},
  };
}

/** What an edit or a deletion shows over the stored message until the server answers. */
type ShownChange = Partial<Pick<Message, 'body' | 'editedAt' | 'deletedAt' | 'attachments' | 'reactions'>>;

export class ConversationModel extends PagedModel<ConversationState> {
  protected readonly sends: PendingSends;
  /** Edits and deletions shown before the server answered them, by message id. */
  private changes: ReadonlyMap<string, ShownChange> = new Map();
  /** The stored messages with the changes laid over them, made again when either changes. */
  private overlaid: {
    stored: readonly Message[];
    changes: ReadonlyMap<string, ShownChange>;
    shown: readonly Message[];
  } = { stored: [], changes: this.changes, shown: [] };
  /** A `markRead` in flight up to this id: another for the same or an older message is not sent. */
  private markingUpTo: string | null = null;
  private readonly typingIn: TypingIndicators;
  private readonly handlers: { [K in ConversationEventName]: (event: EventOf<K>) => void };

  constructor(
    private readonly context: ConversationServices,
    readonly conversationId: string | null,
  ) {
    super(initialState(conversationId));
    this.sends = new PendingSends(context, 'useConversation', () => this.commit(), (message) => this.ownMessage(message));
    this.typingIn = new TypingIndicators(context.clock, () => this.update({ typing: this.typingIn.current }));
    this.handlers = {
      'message.new': (event) => this.onNewMessage(event),
      'message.updated': (event) => this.onChangedMessage(event.message),
      'message.deleted': (event) => this.onChangedMessage(event.message),
      'reaction.updated': (event) => this.onReaction(event),
      read: (event) => this.onRead(event),
      // A large group's markers that moved, instead of a `read` per reader.
      'read.summary': (event) => this.onReadSummary(event),
      // Who types matters only to someone looking; its timers would run for nobody otherwise.
      typing: (event) => {
        if (this.inUse) this.typingIn.apply(event);
      },
      // A large group's typists, replacing the previous summary, instead of `typing` signals.
      'typing.summary': (event) => {
        if (this.inUse) this.onTypingSummary(event);
      },
      'conversation.updated': (event) => this.onDetails(event.conversation),
    };
  }

  override release(): void {
    super.release();
    if (!this.inUse) this.typingIn.clear();
  }

  hear<K extends ConversationEventName>(name: K, event: EventOf<K>): void {
    this.handlers[name](event);
  }

  // ---- Actions ----------------------------------------------------------------------------

  /**
   * Sends `body`, and `files` if any (each uploaded straight to storage, its progress in the
   * pending entry's `files`): a pending entry shows at once, replaced by the stored message on
   * the ack. Resolves with the stored message; on failure the entry stays, `failed`, for
   * `retry` (which uploads only the files not stored yet) or `discard`, and the promise rejects
   * with the `MissiveError`.
   */
  readonly send = (body: string, files: readonly Blob[] = []): Promise<Message> => {
    const id = this.conversationId;
    if (!id) return Promise.reject(new Error('useConversation: no conversation to send to'));
    return this.sends.send(id, body, files);
  };

  /** Sends a failed message again, with its `clientMessageId`: the server stores it once whatever the retries. */
  readonly retry = (clientMessageId: string): Promise<Message> => this.sends.retry(clientMessageId);

  /** Forgets a failed send. */
  readonly discard = (clientMessageId: string): void => this.sends.discard(clientMessageId);

  /** Replaces the text of one's own message: shown at once, as it was again if refused; resolves with the edited message. */
  readonly edit = (messageId: string, body: string): Promise<Message> =>
    this.change(messageId, { body, editedAt: this.now() }, 'message.updated', (id) =>
      this.context.client.editMessage(id, messageId, body),
    );

  /** Deletes a message (its tombstone keeps its place): shown at once, back if refused; resolves with the tombstone. */
  readonly remove = (messageId: string): Promise<Message> => {
    // As the server's tombstone: no text, no files, no reactions.
    const tombstone = { body: null, deletedAt: this.now(), attachments: [], reactions: undefined };
    return this.change(messageId, tombstone, 'message.deleted', (id) => this.context.client.deleteMessage(id, messageId));
  };

  /**
   * Reacts to a message with `emoji` (`on`), or takes the reaction back: shown at once, put
   * back as it was if the server refuses it; resolves with the message's reactions.
   */
  readonly react = async (messageId: string, emoji: string, on = true): Promise<Reaction[]> => {
    const id = this.requireId();
    const before = this.stored.find((m) => m.id === messageId)?.reactions;
    this.setReactions(messageId, toggled(before ?? [], emoji, on));
    try {
      const ack = await this.context.client.react(id, messageId, emoji, on);
      const mine = new Set((this.stored.find((m) => m.id === messageId)?.reactions ?? []).filter((r) => r.me).map((r) => r.emoji));
      const reactions = ack.reactions.map((r) => ({ ...r, me: r.emoji === emoji ? on : mine.has(r.emoji) }));
      this.setReactions(messageId, reactions);
      return reactions;
    } catch (error) {
      this.setReactions(messageId, before ?? []);
      throw error;
    }
  };

  /**
   * Moves the caller's read marker to `messageId` (default: the newest message held). Never
   * back, and not again for a message already marked, so calling it on every render of a
   * visible conversation costs nothing.
   */
  readonly markRead = async (messageId?: string): Promise<void> => {
    const id = this.requireId();
    const target = messageId ?? this.stored[this.stored.length - 1]?.id;
    if (!target) return;
    const me = this.context.identity.userId;
    const marked = me ? this.current.readBy[me]?.lastReadMessageId : null;
    if ((marked && marked >= target) || (this.markingUpTo && this.markingUpTo >= target)) return;
    this.markingUpTo = target;
    try {
      const { read, cursor } = await this.context.client.markRead(id, target);
      const messageIdRead = read.lastReadMessageId ?? target;
      this.update({ readBy: advanceMarker(this.current.readBy, read.userId, messageIdRead, read.lastReadAt ?? null) });
      this.context.echo.emit(
        'read',
        {
          type: 'read',
          conversationId: id,
          userId: read.userId,
          messageId: messageIdRead,
          readAt: read.lastReadAt ?? this.now(),
          cursor: cursor ?? '',
          unreadCount: read.unreadCount,
        },
        ECHO_INFO,
      );
    } finally {
      if (this.markingUpTo === target) this.markingUpTo = null;
    }
  };

  // ---- Loading ----------------------------------------------------------------------------

  protected readPage(before?: string): Promise<MessagePage> {
    return this.context.rest.listMessages(this.conversationId as string, before ? { before } : {});
  }

  /** The newest page, and the conversation's details beside it. */
  protected override load(mode: NewestLoad): void {
    super.load(mode);
    void this.loadDetails(mode);
  }

  private async loadDetails(mode: NewestLoad): Promise<void> {
    try {
      this.onDetails(await this.context.rest.getConversation(this.conversationId as string));
    } catch (error) {
      this.failed(mode, error);
    }
  }

  // ---- Events -----------------------------------------------------------------------------

  private onNewMessage(event: MessageNewEvent): void {
    const { message } = event;
    // Sending ends typing, and the server moves the sender's read marker to their message.
    this.typingIn.stopped(message.senderId);
    // A reply counts in its thread's first message; one in its thread only goes no further:
    // the conversation does not show it, and read markers are for the conversation's messages.
    if (message.parentId) this.stored = withReplyCounted(this.stored, message);
    if (inThreadOnly(message)) return this.commit();
    if (this.beforeLoaded(message)) return;
    this.store([message], {
      readBy: advanceMarker(this.current.readBy, message.senderId, message.id, message.createdAt),
    });
  }

  /** An edit or a deletion: of a message the conversation shows (a reply in its thread only is its thread's business). */
  private onChangedMessage(message: Message): void {
    if (!inThreadOnly(message)) this.store([message]);
  }

  private onReaction(event: ReactionUpdatedEvent): void {
    this.stored = withReactionEvent(this.stored, event, this.context.identity.userId);
    this.commit();
  }

  private setReactions(messageId: string, reactions: readonly Reaction[]): void {
    this.stored = withReactions(this.stored, messageId, reactions.length > 0 ? [...reactions] : undefined);
    this.commit();
  }

  private onRead(event: ReadEvent): void {
    this.update({ readBy: advanceMarker(this.current.readBy, event.userId, event.messageId, event.readAt) });
  }

  /** Each entry as a `read` of its own: forward only (it may repeat a marker already known). */
  private onReadSummary(event: ReadSummaryEvent): void {
    let readBy = this.current.readBy;
    for (const r of event.reads) readBy = advanceMarker(readBy, r.userId, r.lastReadMessageId, r.lastReadAt);
    this.update({ readBy });
  }

  /**
   * The server sends a summary to every member, typists included: the user's own entry is left
   * out, as `typing` shows only the others (the server sends no `typing` back to its sender).
   */
  private onTypingSummary(event: TypingSummaryEvent): void {
    const me = this.context.identity.userId;
    this.typingIn.replace(me === null ? event.typing : event.typing.filter((t) => t.userId !== me));
  }

  /** Members change (added, removed, renamed): keep the markers of those still in it. */
  private onDetails(conversation: ConversationWithMembers): void {
    const members = new Set(conversation.members.map((m) => m.userId));
    const live = Object.fromEntries(Object.entries(this.current.readBy).filter(([userId]) => members.has(userId)));
    this.update({ conversation, readBy: mergeMarkers(markersOf(conversation.members), live) });
  }

  // ---- State ------------------------------------------------------------------------------

  /** One's own message, as the server answered it: held, and the sender's read marker at it (as the server moves it). */
  private ownMessage(message: Message): void {
    this.store([message], {
      readBy: advanceMarker(this.current.readBy, message.senderId, message.id, message.createdAt),
    });
  }

  /**
   * Shows `change` over message `messageId` while `request` runs: on the ack the stored message
   * takes the server's answer (and the other views hear of it through the echo); on a refusal
   * the stored message, which live events kept current meanwhile, shows again.
   */
  private async change(
    messageId: string,
    change: ShownChange,
    echoed: 'message.updated' | 'message.deleted',
    request: (conversationId: string) => Promise<{ message: Message; cursor?: string | null }>,
  ): Promise<Message> {
    const id = this.requireId();
    this.showChange(messageId, change);
    try {
      const ack = await request(id);
      // A reply in its thread only is not the conversation's to show (its thread hears the echo).
      if (!inThreadOnly(ack.message)) this.stored = upsertMessages(this.stored, [ack.message]);
      this.dropChange(messageId, change);
      // Either name: the event's shape is the same (`as` picks one for the compiler).
      const type = echoed as 'message.updated';
      const event = { type, conversationId: id, message: ack.message, cursor: ack.cursor ?? '' };
      this.context.echo.emit(type, event, ECHO_INFO);
      return ack.message;
    } catch (error) {
      this.dropChange(messageId, change);
      throw error;
    }
  }

  private showChange(messageId: string, change: ShownChange): void {
    this.changes = new Map(this.changes).set(messageId, change);
    this.commit();
  }

  /** Takes off `change` unless a later edit of the same message replaced it (that one's answer takes it off). */
  private dropChange(messageId: string, change: ShownChange): void {
    if (this.changes.get(messageId) === change) {
      const changes = new Map(this.changes);
      changes.delete(messageId);
      this.changes = changes;
    }
    this.commit();
  }

  /** The stored messages with the edits and deletions not answered yet laid over them (a deletion that came meanwhile is final). */
  protected override shown(): readonly Message[] {
    const { stored, changes } = this;
    if (changes.size === 0) return stored;
    if (this.overlaid.stored !== stored || this.overlaid.changes !== changes) {
      const shown = stored.map((m) => {
        const change = changes.get(m.id);
        return change && !m.deletedAt ? { ...m, ...change } : m;
      });
      this.overlaid = { stored, changes, shown };
    }
    return this.overlaid.shown;
  }

  private now(): string {
    return new Date(this.context.clock.now()).toISOString();
  }

  private requireId(): string {
    if (!this.conversationId) throw new Error('useConversation: no conversation');
    return this.conversationId;
  }
}
