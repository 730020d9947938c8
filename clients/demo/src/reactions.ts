// Reacting to a message, as the demo does it: the eight emoji its picker offers, and a refusal
// told to the person. `useConversation`'s `react` shows the change at once and puts the counts
// back if the server refuses; what is left to the screen is to say why.

import { isMissiveError } from '@missive/client';
import type { UseConversation } from '@missive/react';
import { useCallback, useState } from 'react';

/** The picker's emoji, in its order. */
export const COMMON_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '🔥'] as const;

/** Why a reaction was not saved, as the person is told. */
export type ReactionFailure = 'tooMany' | 'deleted' | 'other';

export function reactionFailure(error: unknown): ReactionFailure {
  if (!isMissiveError(error)) return 'other';
  // The demo sends only the picker's emoji and those already on the message, all of them
  // valid: the one emoji the server finds invalid is a 21st different one on the message.
  if (error.code === 'invalid_request') return 'tooMany';
  // A message deleted meanwhile takes no reaction.
  if (error.code === 'conflict') return 'deleted';
  return 'other';
}

/**
 * Toggles the reader's reactions to message `messageId`, keeping the last refusal until the
 * next try or until dismissed (a note that vanished on a timer could go unread).
 */
export function useReacting(chat: UseConversation, messageId: string) {
  const { react } = chat;
  const [failure, setFailure] = useState<ReactionFailure | null>(null);
  const toggle = useCallback(
    (emoji: string, on: boolean) => {
      setFailure(null);
      react(messageId, emoji, on).catch((error: unknown) => setFailure(reactionFailure(error)));
    },
    [react, messageId],
  );
  const dismiss = useCallback(() => setFailure(null), []);
  return { toggle, failure, dismiss };
}
