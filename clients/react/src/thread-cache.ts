// The provider's threads: one ThreadModel per thread, shared by every `useThread` that shows
// it, and kept for a while after the last one stops (model-cache.ts) — a thread panel opened,
// closed and opened again reads nothing the second time, and a reply in flight or failed
// outlives the panel that sent it.

import type { ConversationServices } from './services.js';
import { ModelCache } from './model-cache.js';
import { ThreadModel } from './thread-model.js';

/** How many threads nobody shows are kept. */
export const KEPT_THREADS = 10;

/** A thread's key: the conversation and the message it was asked by (ids never hold a `/`). */
export function threadKey(conversationId: string, messageId: string): string {
  return `${conversationId}/${messageId}`;
}

export class ThreadCache extends ModelCache<ThreadModel> {
  constructor(context: ConversationServices) {
    // What a thread shows: messages (its first one, its replies) and their reactions.
    super(context, KEPT_THREADS, ['message.new', 'message.updated', 'message.deleted', 'reaction.updated']);
  }

  /** The model of `key`, made if missing (for an action); without a key, one whose actions reject. */
  override get(key: string | null): ThreadModel {
    return key ? super.get(key) : new ThreadModel(this.context, null, null);
  }

  protected create(key: string): ThreadModel {
    const [conversationId, messageId] = key.split('/') as [string, string];
    return new ThreadModel(this.context, conversationId, messageId);
  }

  protected about(conversationId: string): Iterable<ThreadModel> {
    return [...this.models.values()].filter((model) => model.conversationId === conversationId);
  }
}
