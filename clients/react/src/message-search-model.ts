// A search in one conversation's messages, as a search box shows it: the answer to the latest
// query only, asked once the user pauses typing, paged back on demand.
//
// Each keystroke changes the query; asking at each would cost a request (and a scan of up to
// 5,000 messages on the server) per keystroke, so a query is asked only after `debounceMs`
// without another. Answers may come back in any order: each request belongs to a generation,
// a new query starts the next one and aborts the request in flight, and an answer of an older
// generation is dropped, so the results always answer the query shown. A blank query asks
// nothing and shows nothing.
//
// The server walks back from the newest message (or `before`) and answers each page oldest
// first, like history, with `olderCursor` where the next one starts. A page may hold nothing
// and still have more (the server stops scanning after 5,000 messages a request): `more` says
// so, and `loadMore()` fetches it. The results are what the server answered: a message edited
// or deleted since shows as it was found.

import type { Message, TimerHandle } from '@missive/client';
import type { ConversationServices } from './services.js';
import { upsertMessages } from './message-list.js';
import { Model } from './store.js';

export interface MessageSearchOptions {
  /** How long the query must stay unchanged before it is asked, in ms. Default 300. */
  debounceMs?: number;
  /** Results per page, 1..=100; the server's default is 50. */
  limit?: number;
}

export interface MessageSearchState {
  /** `idle` for a blank query (or no conversation); `loading` from a new query until its first page. */
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** The query the results answer, trimmed. */
  query: string;
  /** The messages found, in id order (oldest first). */
  results: readonly Message[];
  /** Older messages are left to search: `loadMore()` goes on. */
  more: boolean;
  loadingMore: boolean;
  /** The last failure: of the first page (`status: 'error'`) or of `loadMore` (the results stay). */
  error: unknown;
}

export const DEFAULT_SEARCH_DEBOUNCE_MS = 300;

const IDLE: MessageSearchState = { status: 'idle', query: '', results: [], more: false, loadingMore: false, error: null };

export class MessageSearchModel extends Model<MessageSearchState> {
  /** Moves on with each new query: an answer of an earlier one is stale. */
  private generation = 0;
  private timer: TimerHandle | undefined;
  private inFlight: AbortController | null = null;
  private olderCursor: string | null = null;
  /** The trimmed query last set. */
  private query = '';

  constructor(
    private readonly context: Pick<ConversationServices, 'rest' | 'clock'>,
    private readonly conversationId: string | null,
    private readonly options: MessageSearchOptions = {},
  ) {
    super(IDLE);
  }

  /** Nothing to do until a query is set (`setQuery`, which the hook calls after this). */
  start(): void {
    this.query = '';
    this.setState(IDLE);
  }

  stop(): void {
    this.cancel();
  }

  /** The query as typed: asked once it stays unchanged for `debounceMs`; a blank one clears at once. */
  setQuery(typed: string): void {
    const query = typed.trim();
    if (query === this.query) return;
    this.query = query;
    this.cancel();
    if (!query || !this.conversationId) return this.setState(IDLE);
    this.setState({ ...IDLE, status: 'loading', query });
    const generation = this.generation;
    this.timer = this.context.clock.setTimeout(() => {
      this.timer = undefined;
      void this.fetch(generation, null);
    }, this.options.debounceMs ?? DEFAULT_SEARCH_DEBOUNCE_MS);
  }

  /** Searches further back, from where the last page stopped. */
  readonly loadMore = async (): Promise<void> => {
    if (this.current.status !== 'ready' || this.olderCursor === null || this.current.loadingMore) return;
    this.update({ loadingMore: true });
    await this.fetch(this.generation, this.olderCursor);
  };

  private async fetch(generation: number, before: string | null): Promise<void> {
    const controller = new AbortController();
    this.inFlight = controller;
    const { limit } = this.options;
    const page = { ...(before === null ? {} : { before }), ...(limit === undefined ? {} : { limit }) };
    try {
      const answer = await this.context.rest.searchMessages(this.conversationId as string, this.query, page, {
        signal: controller.signal,
      });
      if (generation !== this.generation) return;
      this.olderCursor = answer.olderCursor ?? null;
      this.update({
        status: 'ready',
        results: upsertMessages(this.current.results, answer.messages, true),
        more: this.olderCursor !== null,
        loadingMore: false,
        error: null,
      });
    } catch (error) {
      if (generation !== this.generation) return;
      this.update({ status: before === null ? 'error' : 'ready', loadingMore: false, error });
    } finally {
      if (this.inFlight === controller) this.inFlight = null;
    }
  }

  /** Drops the query in progress: its timer, its request in flight, its place in paging back. */
  private cancel(): void {
    this.generation++;
    if (this.timer !== undefined) this.context.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort();
    this.inFlight = null;
    this.olderCursor = null;
  }
}
