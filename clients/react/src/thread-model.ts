// One thread as the views show it: its first message as it is now (`parent`, with its
// `replyCount`, `lastReplyAt` and `replyUserIds`), its replies paged back over REST and kept
// current by live events (paged-model.ts), and the caller's replies in flight or failed.
//
// One model per thread for the whole provider, held by its cache (thread-cache.ts) and shared
// by every `useThread` of that thread: fetched once while held, kept a while after. A thread
// may be asked by its first message or by one of its replies (the route answers the same
// thread): until the first page says which its first message is, the conversation's messages
// heard are set aside, and sorted once it is known.

import type { Message, MessageNewEvent, ReactionUpdatedEvent } from '@missive/client';
import type { ConversationServices } from './services.js';
import { upsertMessages, withReactionEvent, withReplyCounted } from './message-list.js';
import type { ConversationEventName, EventOf } from './model-cache.js';
import { PagedModel, type MessagePage, type PagedState } from './paged-model.js';
import { PendingSends } from './pending-sends.js';

export interface ThreadState extends PagedState {
  conversationId: string | null;
  /** The message the thread was asked by: its first message, or one of its replies. */
  messageId: string | null;
  /** The thread's first message as it is now; `null` until loaded. */
  parent: Message | null;
}

/** What `ThreadState` is before anything is loaded: `loading`, or `idle` without both ids. */
export function initialThreadState(conversationId: string | null, messageId: string | null): ThreadState {
  return {
    conversationId,
    messageId,
    status: conversationId && messageId ? 'loading' : 'idle',
    error: null,
    parent: null,
    messages: [],
    hasOlder: false,
    loadingOlder: false,
  };
}

export interface ThreadSendOptions {
  /** Show the reply in the conversation too (its history, unread count and preview); by default in the thread only. */
  alsoInConversation?: boolean;
  /** Files to send with it, as `useConversation`'s `send` takes them. */
  files?: readonly Blob[];
}

export class ThreadModel extends PagedModel<ThreadState> {
  protected readonly sends: PendingSends;
  /** The thread's first message, as a list of one: merged as any message is (message-list.ts). */
  private parent: readonly Message[] = [];
  /** Messages of the conversation heard while the first page is on its way, before the thread's first message is known. */
  private early: Message[] = [];

  constructor(
    private readonly context: ConversationServices,
    readonly conversationId: string | null,
    readonly messageId: string | null,
  ) {
    super(initialThreadState(conversationId, messageId));
    this.sends = new PendingSends(context, 'useThread', () => this.commit(), (message) => this.heard(message));
  }

  hear<K extends ConversationEventName>(name: K, event: EventOf<K>): void {
    if (name === 'reaction.updated') {
      const me = this.context.identity.userId;
      this.parent = withReactionEvent(this.parent, event as ReactionUpdatedEvent, me);
      this.stored = withReactionEvent(this.stored, event as ReactionUpdatedEvent, me);
      this.commit();
    } else if (name === 'message.new' || name === 'message.updated' || name === 'message.deleted') {
      this.heard((event as MessageNewEvent).message);
    }
  }

  // ---- Actions ----------------------------------------------------------------------------

  /**
   * Replies in the thread: a pending entry shows at once, replaced by the stored reply on the
   * ack; on failure it stays, `failed`, for `retry` or `discard` (as a conversation's sends).
   */
  readonly send = (body: string, options: ThreadSendOptions = {}): Promise<Message> => {
    const { conversationId } = this;
    // Before the first page, the message asked by: the server files a reply to a reply in its thread.
    const parentId = this.parent[0]?.id ?? this.messageId;
    if (!conversationId || !parentId) return Promise.reject(new Error('useThread: no thread to reply in'));
    const { files, alsoInConversation } = options;
    return this.sends.send(conversationId, body, files, { parentId, alsoInConversation });
  };

  /** Sends a failed reply again, with its `clientMessageId`: the server stores it once whatever the retries. */
  readonly retry = (clientMessageId: string): Promise<Message> => this.sends.retry(clientMessageId);

  /** Forgets a failed reply. */
  readonly discard = (clientMessageId: string): void => this.sends.discard(clientMessageId);

  // ---- Loading and events -----------------------------------------------------------------

  /** A page of replies; the first message it answers with is the newest version known of it. */
  protected async readPage(before?: string): Promise<MessagePage> {
    const query = before ? { before } : {};
    const page = await this.context.rest.listReplies(this.conversationId as string, this.messageId as string, query);
    this.parent = upsertMessages(this.parent, [page.parent], true);
    for (const message of this.early.splice(0)) this.take(message);
    return page;
  }

  /** A message of the conversation heard: new, edited or deleted, or one's own reply answered. */
  private heard(message: Message): void {
    if (this.parent.length > 0) {
      this.take(message);
      this.commit();
    } else if (this.inUse && this.current.status === 'loading') {
      this.early.push(message);
    }
  }

  /** Holds `message` if it is the thread's: its first message, or a reply (counted in the first message's summary). */
  private take(message: Message): void {
    const root = (this.parent[0] as Message).id;
    if (message.id === root) {
      this.parent = upsertMessages(this.parent, [message]);
    } else if (message.parentId === root) {
      this.parent = withReplyCounted(this.parent, message);
      if (this.beforeLoaded(message)) return;
      this.stored = upsertMessages(this.stored, [message]);
      this.sends.arrived([message]);
    }
  }

  protected override commit(patch: Partial<ThreadState> = {}): void {
    super.commit({ ...patch, parent: this.parent[0] ?? null });
  }
}
