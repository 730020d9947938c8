// The messages of a conversation in its log (MessageLog.tsx): oldest first, "Earlier messages"
// on top, a sender's name above the first of their messages in a row.

import type { Member } from '@missive/client';
import type { UseConversation } from '@missive/react';
import { sentByBot } from '../format.js';
import { useI18n } from '../i18n.js';
import type { Pins } from '../pins.js';
import { MessageItem } from './MessageItem.js';
import { MessageLog } from './MessageLog.js';

export function MessageList({
  chat,
  me,
  members,
  showSenders,
  onRefill,
  onOpenThread,
  pins,
}: {
  chat: UseConversation;
  me: string;
  members: readonly Member[];
  showSenders: boolean;
  /** Puts a refused message's text and files back in the composer. */
  onRefill: (body: string, files: File[]) => void;
  /** Opens a thread beside the conversation; absent: no threads here. */
  onOpenThread?: ((rootId: string) => void) | undefined;
  /** The conversation's pins; absent: no pinning here. */
  pins?: Pins | undefined;
}) {
  const { t } = useI18n();
  const { messages } = chat;
  const others = members.filter((m) => m.userId !== me);
  return (
    <MessageLog
      pages={chat}
      label={t.messageLog}
      listLabel={t.messages}
      olderLabel={t.olderMessages}
      emptyText={t.noMessages}
    >
      {messages.map((m, i) => (
        <MessageItem
          key={m.id}
          message={m}
          mine={m.senderId === me}
          // A bot's name shows even where names do not (a direct chat, the storefront card):
          // who answers should never pass for a person.
          showSender={(showSenders || sentByBot(m)) && m.senderId !== me && messages[i - 1]?.senderId !== m.senderId}
          chat={chat}
          me={me}
          members={members}
          others={others}
          onRefill={onRefill}
          onOpenThread={onOpenThread}
          pins={pins}
        />
      ))}
    </MessageLog>
  );
}
