// useConversation: one conversation's messages, sends, typing and read markers, live. The
// state is the provider's, shared by every component that shows the conversation and kept a
// while after (conversation-cache.ts, conversation-model.ts); the typing signals are this
// component's own, as it is this component's draft they tell of.

import type { Message, Reaction } from '@missive/client';
import { useEffect, useMemo, useRef } from 'react';
import { useMissiveContext } from './context.js';
import { initialState, type ConversationModel, type ConversationState } from './conversation-model.js';
import { TypingSender, type TypingTimings } from './typing-sender.js';
import { useSharedState } from './use-shared-state.js';

export interface ConversationOptions {
  typing?: TypingTimings;
}

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
  /** Shown at once, as it was again if refused. */
  edit: (messageId: string, body: string) => Promise<Message>;
  /** Shown at once as deleted, back if refused. */
  remove: (messageId: string) => Promise<Message>;
  /** Reacts with `emoji` (or takes it back, `on: false`): shown at once, undone if refused. */
  react: (messageId: string, emoji: string, on?: boolean) => Promise<Reaction[]>;
  /** `true` on each keystroke, `false` when the draft is emptied; throttled for the server. */
  setTyping: (active: boolean) => void;
  /** Moves the caller's read marker to `messageId`, by default the newest message; never back. */
  markRead: (messageId?: string) => Promise<void>;
}

type Actions = Omit<UseConversation, keyof ConversationState>;

/** `conversationId` may be `null` (nothing selected yet): the hook is then idle. */
export function useConversation(
  conversationId: string | null | undefined,
  options: ConversationOptions = {},
): UseConversation {
  const { conversations, client, clock } = useMissiveContext();
  const id = conversationId ?? null;
  const state = useSharedState(conversations, id, useMemo(() => initialState(id), [id]));

  const { refreshMs, idleMs } = options.typing ?? {};
  const typing = useRef<TypingSender | null>(null);
  useEffect(() => {
    if (!id) return;
    const timings = { ...(refreshMs === undefined ? {} : { refreshMs }), ...(idleMs === undefined ? {} : { idleMs }) };
    const sender = new TypingSender((state) => client.typing(id, state), clock, timings);
    typing.current = sender;
    return () => {
      sender.dispose();
      typing.current = null;
    };
  }, [client, clock, id, refreshMs, idleMs]);

  const actions = useMemo<Actions>(() => {
    // The model at the time of the call: the one held while mounted (or made for the action).
    const on =
      <A extends unknown[], R>(action: (model: ConversationModel) => (...args: A) => R) =>
      (...args: A) =>
        action(conversations.get(id))(...args);
    return {
      loadOlder: on((m) => m.loadOlder),
      send: (body, files) => {
        typing.current?.set(false); // a send ends typing
        return conversations.get(id).send(body, files);
      },
      retry: on((m) => m.retry),
      discard: on((m) => m.discard),
      edit: on((m) => m.edit),
      remove: on((m) => m.remove),
      react: on((m) => m.react),
      markRead: on((m) => m.markRead),
      setTyping: (active) => typing.current?.set(active),
    };
  }, [conversations, id]);

  return { ...state, ...actions };
}
