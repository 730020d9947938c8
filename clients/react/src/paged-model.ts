// Messages read page by page, the newest page first, kept current by events, with the caller's
// sends after them: a conversation's history (conversation-model.ts) or a thread's replies
// (thread-model.ts), each shared and kept by the provider's cache (model-cache.ts).
//
// The first use reads the newest page; later uses read nothing while the model is current (the
// cache hands it every event of its conversation, shown or not). Events lost for good (the
// client's `reload`) make it read the newest page again — at once when shown, at its next use
// otherwise — joined to what it holds, or replacing it when there is a gap between.
//
// Messages are keyed by id and ordered by id (message-list.ts), so a page, a live event and an
// ack that carry the same message make one entry whatever their order. A send shows at once as
// a pending entry (pending-sends.ts), after the stored messages, until the stored message
// replaces it.

import type { Message } from '@missive/client';
import type { ConversationEventName, EventOf, SharedModel } from './model-cache.js';
import { upsertMessages } from './message-list.js';
import type { ChatMessage, PendingSends } from './pending-sends.js';
import { Store } from './store.js';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What every paged model's state says. */
export interface PagedState {
  /** `idle` without an id; `error` when a load failed (tried again at the next use). */
  status: LoadStatus;
  /** The last failure of a load (initial, `loadOlder`, reload); actions reject instead. */
  error: unknown;
  /** Stored messages by id (oldest first), then the caller's pending sends in send order. */
  messages: readonly ChatMessage[];
  /** Older messages exist on the server: `loadOlder()` fetches the previous page. */
  hasOlder: boolean;
  loadingOlder: boolean;
}

/** A page as the routes answer it: messages oldest first, and the cursor of the page before. */
export interface MessagePage {
  messages: Message[];
  olderCursor: string | null;
}

/** Which newest page to read: the first one, or again after events were lost (see `loadNewest`). */
export type NewestLoad = 'initial' | 'reload';

export abstract class PagedModel<S extends PagedState> extends Store<S> implements SharedModel {
  /** The stored messages, by id. */
  protected stored: readonly Message[] = [];
  protected olderCursor: string | null = null;
  /** The components showing it now. */
  protected users = 0;
  /** The caller's sends, shown after the stored messages. */
  protected abstract readonly sends: PendingSends;
  /** The newest page its next use must read: never read yet, a failed load, or events lost meanwhile. */
  private needs: NewestLoad | null = 'initial';
  private composed: { shown: readonly Message[]; pending: readonly ChatMessage[]; messages: readonly ChatMessage[] } = {
    shown: [],
    pending: [],
    messages: [],
  };

  /** The newest page, or with `before` the page before that message. */
  protected abstract readPage(before?: string): Promise<MessagePage>;

  /** One of its conversation's events, routed by the cache. */
  abstract hear<K extends ConversationEventName>(name: K, event: EventOf<K>): void;

  /** Some component shows it now (the cache keeps those, and forgets only among the others). */
  get inUse(): boolean {
    return this.users > 0;
  }

  /** Sends in flight or failed: forgetting the model would lose them, so the cache keeps it. */
  get holdsSends(): boolean {
    return this.sends.entries.length > 0;
  }

  /** A component shows it: the first use reads what the model lacks (nothing when it is current). */
  use(): void {
    this.users++;
    // A load in flight (StrictMode's second mount) cleared `needs` already: nothing fetched twice.
    if (this.users > 1 || this.needs === null) return;
    if (this.current.status === 'error') this.set({ status: 'loading', error: null });
    this.load(this.needs);
  }

  release(): void {
    this.users--;
  }

  /** Events were lost (the resume point expired): what is held may have gaps. Read now if shown, else at the next use. */
  reloaded(): void {
    if (this.users > 0) this.load('reload');
    else this.needs ??= 'reload';
  }

  /** Fetches the page before the oldest message held; failures land in `error`. */
  readonly loadOlder = async (): Promise<void> => {
    const before = this.olderCursor;
    if (before === null || this.current.loadingOlder || this.current.status !== 'ready') return;
    this.set({ loadingOlder: true });
    try {
      const page = await this.readPage(before);
      // A reload meanwhile started paging back from its own page: this one may not join it.
      if (this.olderCursor !== before) return void this.set({ loadingOlder: false });
      this.olderCursor = page.olderCursor ?? null;
      this.store(page.messages, { loadingOlder: false, error: null } as Partial<S>, true);
    } catch (error) {
      this.set({ loadingOlder: false, error });
    }
  };

  // ---- Loading ----------------------------------------------------------------------------

  /** Reads the newest page (a subclass reads what else it lacks beside it). */
  protected load(mode: NewestLoad): void {
    this.needs = null;
    void this.loadNewest(mode);
  }

  /**
   * The newest page. On a reload (events were lost), what is held may be older than the page
   * with a gap between: then only the page and what came live meanwhile are kept, and paging
   * back starts again from the page.
   */
  private async loadNewest(mode: NewestLoad): Promise<void> {
    try {
      const page = await this.readPage();
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
      this.store(page.messages, { status: this.current.status === 'error' ? 'error' : 'ready' } as Partial<S>, true);
    } catch (error) {
      this.failed(mode, error);
    }
  }

  /** A load failed: shown as `error`, and the next use tries again. */
  protected failed(mode: NewestLoad, error: unknown): void {
    this.needs ??= mode;
    this.set({ status: 'error', error });
  }

  // ---- State ------------------------------------------------------------------------------

  /**
   * Older than what is held while older messages are not loaded (the first sync replays a
   * moment before the client was made): paging back brings it, in its place.
   */
  protected beforeLoaded(message: Message): boolean {
    const oldestHeld = this.stored[0]?.id;
    return this.olderCursor !== null && !!oldestHeld && message.id < oldestHeld;
  }

  /**
   * Holds `messages` (`fromPage`: a page, which says all of their reactions) and publishes
   * them with `patch`; a pending send whose message arrived is dropped.
   */
  protected store(messages: readonly Message[], patch: Partial<S> = {}, fromPage = false): void {
    this.stored = upsertMessages(this.stored, messages, fromPage);
    this.sends.arrived(messages);
    this.commit(patch);
  }

  /** The stored messages as shown (a subclass lays changes not answered yet over them). */
  protected shown(): readonly Message[] {
    return this.stored;
  }

  /** Publishes the messages shown, then the pending sends — the same array while none of them changed — with `patch`. */
  protected commit(patch: Partial<S> = {}): void {
    const shown = this.shown();
    const pending = this.sends.entries;
    if (this.composed.shown !== shown || this.composed.pending !== pending) {
      this.composed = { shown, pending, messages: pending.length === 0 ? shown : [...shown, ...pending] };
    }
    this.set({ ...patch, messages: this.composed.messages, hasOlder: this.olderCursor !== null });
  }

  /** `update` of the fields every paged state has. */
  private set(patch: Partial<PagedState>): void {
    this.update(patch as Partial<S>);
  }
}
