// One conversation as a view shows it: its history (paged back over REST, kept current by
// live events), the caller's sends in flight, who is typing and how far each member has read.
//
// Messages are keyed by id and ordered by id (message-list.ts), so a page, a live event and an
// ack that carry the same message make one entry whatever their order. A send shows at once as
// a pending entry (id `pending:<clientMessageId>`, after the stored messages) and is replaced
// by the stored message when the server answers — or when the message arrives another way
// first (a history page), recognised by its `clientMessageId`.

import {
  newClientMessageId,
  type ConversationWithMembers,
  type Message,
  type MessageNewEvent,
  type Reaction,
  type ReactionUpdatedEvent,
  type ReadEvent,
  type ReadSummaryEvent,
  type TypingSummaryEvent,
} from '@missive/client';
import type { MissiveContextValue } from './context.js';
import { listen, unsubscribeAll } from './events.js';
import { ECHO_INFO } from './local-echo.js';
import { toggled, upsertMessages, withReactions } from './message-list.js';
import { advanceMarker, markersOf, mergeMarkers, type ReadMarkers } from './read-markers.js';
import { Model, Runs, type Unsubscribe } from './store.js';
import { TypingIndicators, type TypingUser } from './typing-indicators.js';
import { TypingSender, type TypingTimings } from './typing-sender.js';

/** A send not answered yet (`sending`) or that failed (`failed`, with its `error`). */
export interface PendingMessage extends Message {
  /** The send's idempotency key: `retry` and `discard` take it. */
  clientMessageId: string;
  pending: 'sending' | 'failed';
  error?: unknown;
  /** The files it sends, each with its upload's progress (its `attachments` show them meanwhile). */
  files?: readonly PendingFile[];
}

/** A file on its way: `sent` of `total` bytes stored; its upload id once stored (a retry does not upload it again). */
export interface PendingFile {
  file: Blob;
  name: string;
  sent: number;
  total: number;
  uploadId?: string;
}

export type ChatMessage = Message | PendingMessage;

export function isPending(message: ChatMessage): message is PendingMessage {
  return 'pending' in message;
}

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ConversationState {
  conversationId: string | null;
  /** `idle` without a conversation id; `error` when the history or the conversation could not be loaded. */
  status: LoadStatus;
  /** The last failure of a load (initial, `loadOlder`, reload); actions reject instead. */
  error: unknown;
  /** The conversation with its members; `null` until loaded. */
  conversation: ConversationWithMembers | null;
  /** Stored messages by id (oldest first), then the caller's pending sends in send order. */
  messages: readonly ChatMessage[];
  /** Older messages exist on the server: `loadOlder()` fetches the previous page. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The other members typing now, in the order they started. */
  typing: readonly TypingUser[];
  /** Each member's read marker, moved forward by `read` events, `read.summary` entries and their own messages. */
  readBy: ReadMarkers;
}

export interface ConversationOptions {
  typing?: TypingTimings;
}

function initialState(conversationId: string | null): ConversationState {
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

export class ConversationModel extends Model<ConversationState> {
  private readonly runs = new Runs();
  private stored: readonly Message[] = [];
  private pending: readonly PendingMessage[] = [];
  private olderCursor: string | null = null;
  private composed: {
    stored: readonly Message[];
    pending: readonly PendingMessage[];
    messages: readonly ChatMessage[];
  } = { stored: [], pending: [], messages: [] };
  /** A `markRead` in flight up to this id: another for the same or an older message is not sent. */
  private markingUpTo: string | null = null;
  private subscriptions: Unsubscribe = () => {};
  private readonly typingIn: TypingIndicators;
  private typingOut: TypingSender | undefined;

  constructor(
    private readonly context: MissiveContextValue,
    readonly conversationId: string | null,
    private readonly options: ConversationOptions = {},
  ) {
    super(initialState(conversationId));
    this.typingIn = new TypingIndicators(context.clock, () => this.update({ typing: this.typingIn.current }));
  }

  start(): void {
    const run = this.runs.next();
    this.stored = [];
    this.pending = [];
    this.olderCursor = null;
    this.markingUpTo = null;
    this.setState(initialState(this.conversationId));
    const id = this.conversationId;
    if (!id) return;
    const { client, clock } = this.context;
    this.typingOut = new TypingSender((state) => client.typing(id, state), clock, this.options.typing);
    this.subscriptions = unsubscribeAll([
      listen(this.context, 'message.new', (event) => {
        if (event.conversationId === id) this.onNewMessage(event);
      }),
      listen(this.context, 'message.updated', (event) => {
        if (event.conversationId === id) this.store([event.message]);
      }),
      listen(this.context, 'message.deleted', (event) => {
        if (event.conversationId === id) this.store([event.message]);
      }),
      listen(this.context, 'reaction.updated', (event) => {
        if (event.conversationId === id) this.onReaction(event);
      }),
      listen(this.context, 'read', (event) => {
        if (event.conversationId === id) this.onRead(event);
      }),
      // A large group's markers that moved, instead of a `read` per reader.
      listen(this.context, 'read.summary', (event) => {
        if (event.conversationId === id) this.onReadSummary(event);
      }),
      listen(this.context, 'typing', (event) => {
        if (event.conversationId === id) this.typingIn.apply(event);
      }),
      // A large group's typists, replacing the previous summary, instead of `typing` signals.
      listen(this.context, 'typing.summary', (event) => {
        if (event.conversationId === id) this.onTypingSummary(event);
      }),
      listen(this.context, 'conversation.updated', (event) => {
        if (event.conversation.id === id) this.onDetails(event.conversation);
      }),
      // Events were lost (the resume point expired): what is held may have gaps.
      listen(this.context, 'reload', () => {
        void this.loadNewest(run, 'reload');
        void this.loadDetails(run);
      }),
    ]);
    void this.loadNewest(run, 'initial');
    void this.loadDetails(run);
  }

  stop(): void {
    this.runs.end();
    this.subscriptions();
    this.subscriptions = () => {};
    this.typingIn.clear();
    this.typingOut?.dispose();
    this.typingOut = undefined;
  }

  // ---- Actions ----------------------------------------------------------------------------

  /** Fetches the page before the oldest message held; failures land in `error`. */
  readonly loadOlder = async (): Promise<void> => {
    const id = this.conversationId;
    const before = this.olderCursor;
    if (!id || before === null || this.current.loadingOlder || this.current.status !== 'ready') return;
    const run = this.runs.current;
    this.update({ loadingOlder: true });
    try {
      const page = await this.context.rest.listMessages(id, { before });
      if (!this.runs.isCurrent(run)) return;
      this.olderCursor = page.olderCursor ?? null;
      this.store(page.messages, { loadingOlder: false, error: null }, true);
    } catch (error) {
      if (this.runs.isCurrent(run)) this.update({ loadingOlder: false, error });
    }
  };

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
    const clientMessageId = newClientMessageId();
    const pendingFiles: PendingFile[] = files.map((file) => ({
      file,
      name: (file as Blob & { name?: string }).name ?? 'file',
      sent: 0,
      total: file.size,
    }));
    const optimistic: PendingMessage = {
      id: `pending:${clientMessageId}`,
      tenantId: '',
      conversationId: id,
      senderId: this.context.identity.userId ?? '',
      senderName: '',
      body: files.length > 0 && body.trim() === '' ? null : body,
      clientMessageId,
      kind: 'user',
      createdAt: new Date(this.context.clock.now()).toISOString(),
      editedAt: null,
      deletedAt: null,
      pending: 'sending',
      ...(files.length > 0
        ? {
            files: pendingFiles,
            attachments: pendingFiles.map((f, i) => ({
              id: `pending:${i}`,
              name: f.name,
              contentType: f.file.type || 'application/octet-stream',
              size: f.total,
            })),
          }
        : {}),
    };
    this.pending = [...this.pending, optimistic];
    this.commit();
    this.typingOut?.set(false);
    return this.deliver(id, optimistic);
  };

  /** Sends a failed message again, with its `clientMessageId`: the server stores it once whatever the retries. */
  readonly retry = (clientMessageId: string): Promise<Message> => {
    const id = this.conversationId;
    const entry = this.pending.find((p) => p.clientMessageId === clientMessageId);
    if (!id || !entry) return Promise.reject(new Error(`useConversation: no pending message ${clientMessageId}`));
    return this.deliver(id, entry);
  };

  /** Forgets a failed send. */
  readonly discard = (clientMessageId: string): void => {
    this.removePending(clientMessageId);
  };

  /** Replaces the text of one's own message; resolves with the edited message. */
  readonly edit = async (messageId: string, body: string): Promise<Message> => {
    const id = this.requireId();
    const ack = await this.context.client.editMessage(id, messageId, body);
    this.store([ack.message]);
    this.context.echo.emit(
      'message.updated',
      { type: 'message.updated', conversationId: id, message: ack.message, cursor: ack.cursor ?? '' },
      ECHO_INFO,
    );
    return ack.message;
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

  /** Deletes a message (its tombstone keeps its place); resolves with the tombstone. */
  readonly remove = async (messageId: string): Promise<Message> => {
    const id = this.requireId();
    const ack = await this.context.client.deleteMessage(id, messageId);
    this.store([ack.message]);
    this.context.echo.emit(
      'message.deleted',
      { type: 'message.deleted', conversationId: id, message: ack.message, cursor: ack.cursor ?? '' },
      ECHO_INFO,
    );
    return ack.message;
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
          readAt: read.lastReadAt ?? new Date(this.context.clock.now()).toISOString(),
          cursor: cursor ?? '',
          unreadCount: read.unreadCount,
        },
        ECHO_INFO,
      );
    } finally {
      if (this.markingUpTo === target) this.markingUpTo = null;
    }
  };

  /** Call with `true` on each keystroke and `false` when the draft is cleared (see typing-sender.ts). */
  readonly setTyping = (active: boolean): void => {
    this.typingOut?.set(active);
  };

  // ---- Loading ----------------------------------------------------------------------------

  /**
   * The newest page. On a reload (events were lost), what is held may be older than the page
   * with a gap between: then only the page and what came live meanwhile are kept, and paging
   * back starts again from the page.
   */
  private async loadNewest(run: number, mode: 'initial' | 'reload'): Promise<void> {
    const id = this.conversationId as string;
    try {
      const page = await this.context.rest.listMessages(id);
      if (!this.runs.isCurrent(run)) return;
      const oldestOfPage = page.messages[0]?.id;
      const newestHeldBefore = this.stored[this.stored.length - 1]?.id;
      const olderCursor = page.olderCursor ?? null;
      if (mode === 'initial') {
        this.olderCursor = olderCursor;
        // The first sync starts a moment before the client was made, so it may replay messages
        // older than this page: they are history, which paging back brings; held, they would
        // make the newest page longer by however many were sent in that moment.
        if (olderCursor !== null && oldestOfPage) this.stored = this.stored.filter((m) => m.id >= oldestOfPage);
      } else if (olderCursor !== null && oldestOfPage && newestHeldBefore && newestHeldBefore < oldestOfPage) {
        this.stored = this.stored.filter((m) => m.id >= oldestOfPage);
        this.olderCursor = olderCursor;
      }
      this.store(page.messages, { status: this.current.status === 'error' ? 'error' : 'ready' }, true);
    } catch (error) {
      if (this.runs.isCurrent(run)) this.update({ status: 'error', error });
    }
  }

  private async loadDetails(run: number): Promise<void> {
    try {
      const conversation = await this.context.rest.getConversation(this.conversationId as string);
      if (this.runs.isCurrent(run)) this.onDetails(conversation);
    } catch (error) {
      if (this.runs.isCurrent(run)) this.update({ status: 'error', error });
    }
  }

  // ---- Events -----------------------------------------------------------------------------

  private onNewMessage(event: MessageNewEvent): void {
    const { message } = event;
    // Sending ends typing, and the server moves the sender's read marker to their message.
    this.typingIn.stopped(message.senderId);
    // Older than what is held while older history is not loaded (the first sync replays a
    // moment before the client was made): paging back brings it, in its place.
    const oldestHeld = this.stored[0]?.id;
    if (this.olderCursor !== null && oldestHeld && message.id < oldestHeld) return;
    this.store([message], {
      readBy: advanceMarker(this.current.readBy, message.senderId, message.id, message.createdAt),
    });
  }

  /** Someone's reaction: the counts from the event; which are the reader's own, as held (and the event's if it is theirs). */
  private onReaction(event: ReactionUpdatedEvent): void {
    const held = this.stored.find((m) => m.id === event.messageId);
    if (!held) return;
    const mine = new Set((held.reactions ?? []).filter((r) => r.me).map((r) => r.emoji));
    if (event.userId === this.context.identity.userId) {
      if (event.on) mine.add(event.emoji);
      else mine.delete(event.emoji);
    }
    this.setReactions(event.messageId, event.reactions.map((r) => ({ ...r, me: mine.has(r.emoji) })));
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

  private async deliver(conversationId: string, entry: PendingMessage): Promise<Message> {
    const clientMessageId = entry.clientMessageId;
    this.setPending(clientMessageId, { pending: 'sending', error: undefined });
    try {
      const attachments = await this.uploadFiles(conversationId, clientMessageId);
      const options = attachments.length > 0 ? { clientMessageId, attachments } : { clientMessageId };
      const message = await this.context.client.send(conversationId, entry.body ?? '', options);
      this.store([message], {
        readBy: advanceMarker(this.current.readBy, message.senderId, message.id, message.createdAt),
      });
      this.context.echo.emit('message.new', { type: 'message.new', conversationId, message, cursor: '' }, ECHO_INFO);
      return message;
    } catch (error) {
      this.setPending(clientMessageId, { pending: 'failed', error });
      throw error;
    }
  }

  /** Stores a pending send's files not stored yet, one after the other; answers their upload ids. */
  private async uploadFiles(conversationId: string, clientMessageId: string): Promise<string[]> {
    const files = this.pending.find((p) => p.clientMessageId === clientMessageId)?.files ?? [];
    const uploadIds: string[] = [];
    for (const [index, file] of files.entries()) {
      const uploadId =
        file.uploadId ??
        (await this.context.rest.upload(conversationId, file.file, {
          name: file.name,
          onProgress: (sent, total) => this.setFile(clientMessageId, index, { sent, total }),
        }));
      this.setFile(clientMessageId, index, { uploadId, sent: file.total });
      uploadIds.push(uploadId);
    }
    return uploadIds;
  }

  private setFile(clientMessageId: string, index: number, patch: Partial<PendingFile>): void {
    const entry = this.pending.find((p) => p.clientMessageId === clientMessageId);
    if (!entry?.files) return;
    const files = entry.files.map((f, i) => (i === index ? { ...f, ...patch } : f));
    this.pending = this.pending.map((p) => (p === entry ? { ...p, files } : p));
    this.commit();
  }

  /** Upserts stored messages; a pending send whose message arrived is dropped. */
  /** Holds `messages` (`fromPage`: a page of history, which says all of their reactions). */
  private store(messages: readonly Message[], patch: Partial<ConversationState> = {}, fromPage = false): void {
    this.stored = upsertMessages(this.stored, messages, fromPage);
    const arrived = new Set(messages.map((m) => m.clientMessageId).filter((c) => c !== undefined));
    if (arrived.size > 0 && this.pending.some((p) => arrived.has(p.clientMessageId))) {
      this.pending = this.pending.filter((p) => !arrived.has(p.clientMessageId));
    }
    this.commit(patch);
  }

  private setPending(clientMessageId: string, patch: Pick<PendingMessage, 'pending' | 'error'>): void {
    // Answered already (the message came another way): nothing to mark.
    if (!this.pending.some((p) => p.clientMessageId === clientMessageId)) return;
    this.pending = this.pending.map((p) => (p.clientMessageId === clientMessageId ? { ...p, ...patch } : p));
    this.commit();
  }

  private removePending(clientMessageId: string): void {
    const kept = this.pending.filter((p) => p.clientMessageId !== clientMessageId);
    if (kept.length === this.pending.length) return;
    this.pending = kept;
    this.commit();
  }

  /** Publishes the held messages (the same array while nothing changed) with `patch`. */
  private commit(patch: Partial<ConversationState> = {}): void {
    if (this.composed.stored !== this.stored || this.composed.pending !== this.pending) {
      const messages = this.pending.length === 0 ? this.stored : [...this.stored, ...this.pending];
      this.composed = { stored: this.stored, pending: this.pending, messages };
    }
    this.update({ ...patch, messages: this.composed.messages, hasOlder: this.olderCursor !== null });
  }

  private requireId(): string {
    if (!this.conversationId) throw new Error('useConversation: no conversation');
    return this.conversationId;
  }
}
