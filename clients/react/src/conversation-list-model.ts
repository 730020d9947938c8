// The caller's conversations, most recent activity first, as the inbox shows them: the REST
// list's first page (and more on demand), kept current by live events.
//
// Live events change what is held: a `message.new` moves its conversation to the top with its
// preview and one more unread (none when the caller sent it, from another device or through
// `useConversation`'s echo); a `read` of the caller's (or their entry in a large group's
// `read.summary`) lowers the unread count; renames and member changes update the entry, and
// leaving removes it. An event about a conversation that is not held (a new one, one beyond
// the pages loaded) refetches the first page, where it now is — or is not, when the list's
// filter leaves it out.
//
// The archived listing (`archived: true`) holds the conversations the user archived: the next
// message of one brings it back to the main list (the server unarchives it), so it leaves this
// one — and the main list, which did not hold it, fetches its first page, where it now is.
//
// A page answers as of when the server read it; events heard while it was in flight are
// replayed onto it. Applying an event is idempotent (a `message.new` at or before the preview
// changes nothing), so the replay cannot count a message that the page already holds twice.

import type {
  ConversationKind,
  ConversationListItem,
  ConversationsPage,
  ConversationWithMembers,
  CursorEvent,
  DeliveryInfo,
  Message,
  MessagePreview,
} from '@missive/client';
import type { MissiveContextValue } from './context.js';
import { ERASED } from './erased.js';
import { listen, unsubscribeAll } from './events.js';
import type { EchoInfo, OwnReadEvent } from './local-echo.js';
import { inThreadOnly } from './message-list.js';
import { Model, Runs, type Unsubscribe } from './store.js';

export interface ConversationListQuery {
  /** Only this kind (`storefront` is the partner inbox). */
  kind?: ConversationKind;
  /** Titles and participants' names, case- and accent-insensitive (the server's filter). */
  q?: string;
  /** Conversations per page, 1..=100; the server's default is 50. */
  limit?: number;
  /** Only those the user archived (the main list leaves them out until their next message). */
  archived?: boolean;
}

export interface ConversationListState {
  conversations: readonly ConversationListItem[];
  /** `loading` until the first page; `error` when it could not be had. */
  status: 'loading' | 'ready' | 'error';
  /** The last load's failure (first page, `loadMore`, a refresh). */
  error: unknown;
  /** More conversations beyond those loaded: `loadMore()` fetches them. */
  hasMore: boolean;
  loadingMore: boolean;
}

type ListEvent = Exclude<CursorEvent, { type: 'notification.new' }>;

const INITIAL: ConversationListState = {
  conversations: [],
  status: 'loading',
  error: null,
  hasMore: false,
  loadingMore: false,
};

export class ConversationListModel extends Model<ConversationListState> {
  private readonly runs = new Runs();
  private items = new Map<string, ConversationListItem>();
  private nextCursor: string | null = null;
  /** How many events were heard so far: a fetch notes it when it starts. */
  private heard = 0;
  /** Events heard while a page is in flight, with their number, replayed onto the page. */
  private log: { seq: number; event: ListEvent; own: boolean }[] = [];
  /** Fetches in flight, by the number of events heard when each started. */
  private readonly inFlight = new Set<{ startedAt: number }>();
  /** Conversations an event named but the list does not hold, waiting for a first-page fetch. */
  private waiting: { seq: number; conversationId: string }[] = [];
  /** A reload was asked for while a first-page fetch was in flight. */
  private replaceRequested = false;
  private headInFlight = false;
  private subscriptions: Unsubscribe = () => {};

  constructor(
    private readonly context: MissiveContextValue,
    private readonly query: ConversationListQuery = {},
  ) {
    super(INITIAL);
  }

  start(): void {
    const run = this.runs.next();
    this.items = new Map();
    this.nextCursor = null;
    this.log = [];
    this.inFlight.clear();
    this.waiting = [];
    this.replaceRequested = false;
    this.headInFlight = false;
    this.setState(INITIAL);
    const hear = (event: ListEvent, info: DeliveryInfo) => this.hear(event, (info as Partial<EchoInfo>).own === true);
    this.subscriptions = unsubscribeAll([
      listen(this.context, 'message.new', hear),
      listen(this.context, 'message.updated', hear),
      listen(this.context, 'message.deleted', hear),
      listen(this.context, 'read', hear),
      listen(this.context, 'read.summary', hear),
      listen(this.context, 'conversation.created', hear),
      listen(this.context, 'conversation.updated', hear),
      // Events were lost: start over from the first page.
      listen(this.context, 'reload', () => this.requestHead(run, 'replace')),
    ]);
    this.requestHead(run, 'replace');
  }

  stop(): void {
    this.runs.end();
    this.subscriptions();
    this.subscriptions = () => {};
  }

  /** Fetches the next page; failures land in `error`. */
  readonly loadMore = async (): Promise<void> => {
    const cursor = this.nextCursor;
    if (cursor === null || this.current.loadingMore || this.current.status !== 'ready') return;
    const run = this.runs.current;
    this.update({ loadingMore: true });
    const fetch = this.startFetch();
    try {
      const page = await this.context.rest.listConversations({ ...this.query, cursor });
      if (!this.runs.isCurrent(run)) return;
      this.nextCursor = page.nextCursor ?? null;
      this.land(page, fetch.startedAt);
      this.publish({ loadingMore: false, error: null });
    } catch (error) {
      if (this.runs.isCurrent(run)) this.update({ loadingMore: false, error });
    } finally {
      this.endFetch(fetch);
    }
  };

  /** Reloads the first page, dropping what was held (what the client's `reload` event does). */
  readonly reload = (): void => {
    this.requestHead(this.runs.current, 'replace');
  };

  // ---- Pages ------------------------------------------------------------------------------

  /**
   * Asks for the first page: `replace` drops what is held, `merge` looks for the conversations
   * in `waiting`. One fetch at a time; what is asked meanwhile runs after it, if still needed.
   */
  private requestHead(run: number, mode: 'merge' | 'replace'): void {
    if (!this.runs.isCurrent(run)) return;
    if (mode === 'replace') this.replaceRequested = true;
    if (!this.headInFlight) void this.fetchHead(run);
  }

  private async fetchHead(run: number): Promise<void> {
    const mode = this.replaceRequested ? 'replace' : 'merge';
    if (mode === 'merge' && this.waiting.length === 0) return;
    this.replaceRequested = false;
    this.headInFlight = true;
    const fetch = this.startFetch();
    try {
      const page = await this.context.rest.listConversations({ ...this.query });
      if (!this.runs.isCurrent(run)) return;
      if (mode === 'replace') {
        this.items = new Map();
        this.nextCursor = page.nextCursor ?? null;
      }
      this.land(page, fetch.startedAt);
      // Those the page was read after and still does not hold are outside this list's filter;
      // those heard after it was asked for and still missing are looked for again.
      this.waiting = this.waiting.filter((w) => w.seq > fetch.startedAt && !this.items.has(w.conversationId));
      this.publish({ status: 'ready', error: null });
    } catch (error) {
      if (!this.runs.isCurrent(run)) return;
      // No retry loop on a failing server: the next event or `reload()` asks again.
      this.waiting = [];
      this.publish({ status: this.current.status === 'loading' ? 'error' : this.current.status, error });
    } finally {
      this.endFetch(fetch);
      if (this.runs.isCurrent(run)) {
        this.headInFlight = false;
        void this.fetchHead(run);
      }
    }
  }

  /** A page's entries replace those held, then the events heard since it was asked for are replayed. */
  private land(page: ConversationsPage, startedAt: number): void {
    for (const item of page.conversations) this.items.set(item.id, item);
    for (const { seq, event, own } of this.log) if (seq > startedAt) this.apply(event, own);
  }

  private startFetch(): { startedAt: number } {
    const fetch = { startedAt: this.heard };
    this.inFlight.add(fetch);
    return fetch;
  }

  private endFetch(fetch: { startedAt: number }): void {
    this.inFlight.delete(fetch);
    // Keep only what a page still in flight will need to replay.
    const oldest = Math.min(...[...this.inFlight].map((f) => f.startedAt));
    this.log = this.inFlight.size === 0 ? [] : this.log.filter((entry) => entry.seq > oldest);
  }

  // ---- Events -----------------------------------------------------------------------------

  private hear(event: ListEvent, own: boolean): void {
    const seq = ++this.heard;
    if (this.inFlight.size > 0) this.log.push({ seq, event, own });
    const unknown = this.apply(event, own);
    if (unknown !== null) {
      this.waiting.push({ seq, conversationId: unknown });
      this.requestHead(this.runs.current, 'merge');
    }
    this.publish();
  }

  /** Applies one event to the entries held; returns the id of a conversation it needs but the list lacks. */
  private apply(event: ListEvent, own: boolean): string | null {
    const me = this.context.identity.userId;
    switch (event.type) {
      case 'message.new': {
        // A reply in its thread only is not the conversation's news: the server keeps it out
        // of the preview and the unread count.
        if (inThreadOnly(event.message)) return null;
        const item = this.items.get(event.conversationId);
        if (this.query.archived) {
          // A newer message unarchived it: gone from here (one at or before the preview is not news).
          if (item && !(item.lastMessage && event.message.id <= item.lastMessage.id)) this.items.delete(item.id);
          return null;
        }
        if (!item) return event.conversationId;
        this.items.set(item.id, withNewMessage(item, event.message, event.message.senderId === me || own));
        return null;
      }
      case 'message.updated':
      case 'message.deleted': {
        const item = this.items.get(event.conversationId);
        if (item?.lastMessage?.id === event.message.id) {
          this.items.set(item.id, { ...item, lastMessage: previewOf(event.message) });
        }
        return null;
      }
      case 'read': {
        const item = this.items.get(event.conversationId);
        if (item && (own || event.userId === me)) {
          this.items.set(item.id, withOwnRead(item, event.messageId, (event as OwnReadEvent).unreadCount));
        }
        return null;
      }
      case 'read.summary': {
        // A large group's markers: the caller's own entry, if any, is a `read` of theirs.
        const item = this.items.get(event.conversationId);
        if (!item || me === null) return null;
        let next = item;
        for (const r of event.reads) if (r.userId === me) next = withOwnRead(next, r.lastReadMessageId);
        if (next !== item) this.items.set(item.id, next);
        return null;
      }
      case 'reaction.updated':
        // Reactions do not move a conversation in the list.
        return null;
      case 'conversation.created':
        return this.items.has(event.conversation.id) || !this.fits(event.conversation) ? null : event.conversation.id;
      case 'conversation.updated': {
        const { conversation, change } = event;
        const item = this.items.get(conversation.id);
        const left = (change.change === 'removed' || change.change === 'left') && me !== null;
        if (left && !conversation.members.some((m) => m.userId === me)) {
          this.items.delete(conversation.id);
          return null;
        }
        if (item) {
          this.items.set(item.id, withDetails(item, conversation));
          return null;
        }
        // Added to a group the list did not hold: it belongs in the list now.
        return this.fits(conversation) ? conversation.id : null;
      }
    }
  }

  /** Whether a conversation new to the user may belong here: of the kind asked, and not archived yet. */
  private fits(conversation: ConversationWithMembers): boolean {
    return !this.query.archived && (this.query.kind === undefined || conversation.kind === this.query.kind);
  }

  private publish(patch: Partial<ConversationListState> = {}): void {
    const conversations = [...this.items.values()].sort(byActivity);
    const held = this.current.conversations;
    const same = conversations.length === held.length && conversations.every((c, i) => c === held[i]);
    this.update({ ...patch, conversations: same ? held : conversations, hasMore: this.nextCursor !== null });
  }
}

/** Most recent activity first (`activity` is a ULID); ties by id, so the order is stable. */
function byActivity(a: ConversationListItem, b: ConversationListItem): number {
  if (a.activity !== b.activity) return a.activity < b.activity ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function previewOf(message: Message): MessagePreview {
  return {
    id: message.id,
    senderId: message.senderId,
    senderName: message.senderName,
    body: message.body ?? '',
    kind: message.kind,
    createdAt: message.createdAt,
    deleted: message.deletedAt != null,
  };
}

/**
 * A message newer than the preview becomes the preview and moves the conversation up. One at
 * or before it is already counted (the page was read after it) and changes nothing — that is
 * what makes replaying events onto a page safe.
 */
function withNewMessage(item: ConversationListItem, message: Message, mine: boolean): ConversationListItem {
  if (item.lastMessage && message.id <= item.lastMessage.id) return item;
  return {
    ...item,
    lastMessage: previewOf(message),
    activity: message.id > item.activity ? message.id : item.activity,
    lastActivityAt: message.createdAt,
    messageCount: (item.messageCount ?? 0) + 1,
    // The server moves the sender's read marker to their message: one's own send leaves nothing unread.
    unreadCount: mine ? 0 : item.unreadCount + 1,
    lastReadMessageId: mine ? message.id : item.lastReadMessageId,
  };
}

/**
 * The caller read up to `messageId` (on this device: the echo carries the server's count; on
 * another: a `read` event or a `read.summary` entry, which do not). Read up to the preview
 * leaves nothing unread; short of it, only the echo's count is known, and a read only ever
 * lowers it.
 */
function withOwnRead(item: ConversationListItem, messageId: string, count?: number): ConversationListItem {
  if (item.lastReadMessageId != null && messageId <= item.lastReadMessageId) return item;
  const caughtUp = !item.lastMessage || messageId >= item.lastMessage.id;
  const unreadCount = caughtUp ? 0 : count !== undefined ? Math.min(item.unreadCount, count) : item.unreadCount;
  return { ...item, lastReadMessageId: messageId, unreadCount };
}

/**
 * The conversation's title and members as an event tells them. An erased person is no member
 * any more, but stays a participant of a direct conversation, as no one (`~erased`): kept.
 */
function withDetails(item: ConversationListItem, conversation: ConversationWithMembers): ConversationListItem {
  const next: ConversationListItem = {
    ...item,
    participants: [
      ...conversation.members.map((m) => ({ userId: m.userId, name: m.name })),
      ...(conversation.participants ?? []).filter((p) => p.userId === ERASED),
    ],
  };
  if (conversation.title !== undefined) next.title = conversation.title;
  return next;
}
