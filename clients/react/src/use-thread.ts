// useThread: one thread's first message and replies, live, and replying in it. The state is
// the provider's, shared by every component that shows the thread and kept a while after
// (thread-cache.ts, thread-model.ts).

import type { Message } from '@missive/client';
import { useMemo } from 'react';
import { useMissiveContext } from './context.js';
import { threadKey } from './thread-cache.js';
import { initialThreadState, type ThreadSendOptions, type ThreadState } from './thread-model.js';
import { useSharedState } from './use-shared-state.js';

export interface UseThread extends ThreadState {
  /** Fetches the replies before the oldest one held. */
  loadOlder: () => Promise<void>;
  /**
   * Replies in the thread (`alsoInConversation`: shown in the conversation too); a pending
   * entry shows at once. Resolves with the stored reply.
   */
  send: (body: string, options?: ThreadSendOptions) => Promise<Message>;
  /** Sends a failed reply again (same `clientMessageId`: stored once whatever the retries). */
  retry: (clientMessageId: string) => Promise<Message>;
  /** Forgets a failed reply. */
  discard: (clientMessageId: string) => void;
}

/**
 * The thread of `messageId` — its first message or any of its replies — in conversation
 * `conversationId`; idle while either is `null` (no thread open).
 */
export function useThread(conversationId: string | null | undefined, messageId: string | null | undefined): UseThread {
  const { threads } = useMissiveContext();
  const [id, asked] = [conversationId ?? null, messageId ?? null];
  const key = id && asked ? threadKey(id, asked) : null;
  const state = useSharedState(threads, key, useMemo(() => initialThreadState(id, asked), [id, asked]));
  const actions = useMemo(() => {
    // The model at the time of the call: the one held while mounted (or made for the action).
    const model = () => threads.get(key);
    return {
      loadOlder: () => model().loadOlder(),
      send: (body: string, options?: ThreadSendOptions) => model().send(body, options),
      retry: (clientMessageId: string) => model().retry(clientMessageId),
      discard: (clientMessageId: string) => model().discard(clientMessageId),
    };
  }, [threads, key]);
  return { ...state, ...actions };
}
