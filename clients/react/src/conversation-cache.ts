// The provider's conversations: one ConversationModel per conversation, shared by every
// `useConversation` that shows it, and kept for a while after the last one stops (model-cache.ts).
//
// Shared, because a conversation is often shown twice at once (a thread and its preview pane)
// and opened again soon after it was left (navigating away and back): each time it is the same
// state, fetched once, with the sends still in flight or failed where the user left them.

import type { ConversationServices } from './services.js';
import { ConversationModel } from './conversation-model.js';
import { CONVERSATION_EVENTS, ModelCache } from './model-cache.js';

/** How many conversations nobody shows are kept, by default. */
export const DEFAULT_KEPT_CONVERSATIONS = 20;

export class ConversationCache extends ModelCache<ConversationModel> {
  constructor(context: ConversationServices, keep = DEFAULT_KEPT_CONVERSATIONS) {
    super(context, keep, CONVERSATION_EVENTS);
  }

  /** The model of `id`, made if missing (for an action); without an id, one whose actions reject. */
  override get(id: string | null): ConversationModel {
    return id ? super.get(id) : new ConversationModel(this.context, null);
  }

  protected create(id: string): ConversationModel {
    return new ConversationModel(this.context, id);
  }

  protected about(conversationId: string): Iterable<ConversationModel> {
    const model = this.models.get(conversationId);
    return model ? [model] : [];
  }
}
