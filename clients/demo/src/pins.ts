// A conversation's pinned messages as the demo shows them: the list with each message (the
// newest pin first), read again whenever it may have changed — a member pinned or unpinned
// (`conversation.updated`; the reader's own too, read again once answered), or a pinned
// message was edited or deleted (a deleted one leaves the list); pinning and unpinning, with a
// refusal told (at most 50 a conversation).

import type { PinnedMessage } from '@missive/client';
import { useMissive, useMissiveEvent } from '@missive/react';
import { useCallback, useEffect, useMemo, useState } from 'react';

export interface Pins {
  /** The newest pin first. */
  list: readonly PinnedMessage[];
  /** The ids of the pinned messages. */
  pinned: ReadonlySet<string>;
  /** Pins (`on`) or unpins a message. */
  toggle: (messageId: string, on: boolean) => void;
  /** The last pin or unpin was refused, until the next one or `dismiss`. */
  failed: boolean;
  dismiss: () => void;
}

/** The id of a message's element in the page: where the pins' list takes the reader. */
export function messageElementId(messageId: string): string {
  return `message-${messageId}`;
}

/** The pins of `conversationId`; none, and nothing asked, for `null`. */
export function usePins(conversationId: string | null): Pins {
  const { client, rest } = useMissive();
  const [list, setList] = useState<readonly PinnedMessage[]>([]);
  const [failed, setFailed] = useState(false);
  // Each change of it reads the list again; an answer to an older read is dropped.
  const [reads, setReads] = useState(0);
  const readAgain = useCallback(() => setReads((n) => n + 1), []);

  useEffect(() => {
    if (!conversationId) return;
    let current = true;
    rest.listPins(conversationId).then(
      (pins) => current && setList(pins),
      // The list stays as it was; the next change reads it again.
      () => {},
    );
    return () => {
      current = false;
    };
  }, [rest, conversationId, reads]);

  const pinned = useMemo(() => new Set(list.map((p) => p.messageId)), [list]);
  useMissiveEvent('conversation.updated', ({ conversation, change }) => {
    if (conversation.id === conversationId && (change.change === 'pinned' || change.change === 'unpinned')) readAgain();
  });
  const changed = ({ conversationId: id, message }: { conversationId: string; message: { id: string } }) => {
    if (id === conversationId && pinned.has(message.id)) readAgain();
  };
  useMissiveEvent('message.updated', changed);
  useMissiveEvent('message.deleted', changed);

  const toggle = useCallback(
    (messageId: string, on: boolean) => {
      if (!conversationId) return;
      setFailed(false);
      const request = on ? client.pinMessage(conversationId, messageId) : client.unpinMessage(conversationId, messageId);
      request.then(readAgain, () => setFailed(true));
    },
    [client, conversationId, readAgain],
  );
  const dismiss = useCallback(() => setFailed(false), []);
  return { list, pinned, toggle, failed, dismiss };
}
