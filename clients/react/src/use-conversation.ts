// useConversation: one conversation's messages, sends, typing and read markers, live (see
// conversation-model.ts).

import type { Message, Reaction } from '@missive/client';
import { useMissiveContext } from './context.js';
import { ConversationModel, type ConversationOptions, type ConversationState } from './conversation-model.js';
import { useModel } from './use-model.js';

export interface UseConversation extends ConversationState {
  /** Fetches the page before the oldest message held. */
  loadOlder: () => Promise<void>;
  /**
   * Sends text, and files if any (uploaded straight to storage first, their progress in the
   * pending entry's `files`); a pending entry shows at once. Resolves with the stored message.
   */
  send: (body: string, files?: readonly Blob[]) => Promise<Message>;
  /** Sends a failed message again (same `clientMessageId`: stored once whatever the retries; files already stored are not uploaded again). */
  retry: (clientMessageId: string) => Promise<Message>;
  /** Forgets a failed send. */
  discard: (clientMessageId: string) => void;
  edit: (messageId: string, body: string) => Promise<Message>;
  remove: (messageId: string) => Promise<Message>;
  /** Reacts with `emoji` (or takes it back, `on: false`): shown at once, undone if refused. */
  react: (messageId: string, emoji: string, on?: boolean) => Promise<Reaction[]>;
  /** `true` on each keystroke, `false` when the draft is emptied; throttled for the server. */
  setTyping: (active: boolean) => void;
  /** Moves the caller's read marker to `messageId`, by default the newest message; never back. */
  markRead: (messageId?: string) => Promise<void>;
}

/** `conversationId` may be `null` (nothing selected yet): the hook is then idle. */
export function useConversation(
  conversationId: string | null | undefined,
  options: ConversationOptions = {},
): UseConversation {
  const context = useMissiveContext();
  const refreshMs = options.typing?.refreshMs;
  const idleMs = options.typing?.idleMs;
  const [state, model] = useModel(
    () => new ConversationModel(context, conversationId ?? null, { typing: typingTimings(refreshMs, idleMs) }),
    [context, conversationId, refreshMs, idleMs],
  );
  return {
    ...state,
    loadOlder: model.loadOlder,
    send: model.send,
    retry: model.retry,
    discard: model.discard,
    edit: model.edit,
    remove: model.remove,
    react: model.react,
    setTyping: model.setTyping,
    markRead: model.markRead,
  };
}

function typingTimings(refreshMs: number | undefined, idleMs: number | undefined) {
  return {
    ...(refreshMs === undefined ? {} : { refreshMs }),
    ...(idleMs === undefined ? {} : { idleMs }),
  };
}
