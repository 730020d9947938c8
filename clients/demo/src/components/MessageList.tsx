// The messages of a conversation, oldest first, with "earlier messages" on top. It stays at
// the bottom as messages come (unless the reader scrolled up), and keeps its place when an
// older page is added above. It is a live "log" region: a screen reader reads out a message
// that arrives, politely (after what it is saying), without the reader having to look for it;
// it can be focused, so that a keyboard scrolls it.

import type { Member } from '@missive/client';
import type { UseConversation } from '@missive/react';
import { useLayoutEffect, useRef } from 'react';
import { sentByBot } from '../format.js';
import { useI18n } from '../i18n.js';
import { MessageItem } from './MessageItem.js';

export function MessageList({
  chat,
  me,
  members,
  showSenders,
  onRefill,
}: {
  chat: UseConversation;
  me: string;
  members: readonly Member[];
  showSenders: boolean;
  /** Puts a refused message's text and files back in the composer. */
  onRefill: (body: string, files: File[]) => void;
}) {
  const { t } = useI18n();
  const { messages, hasOlder, loadingOlder, loadOlder } = chat;
  const box = useRef<HTMLDivElement>(null);
  const seen = useRef({ first: undefined as string | undefined, last: undefined as string | undefined, height: 0 });
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const first = messages[0]?.id;
    const last = messages.at(-1)?.id;
    const before = seen.current;
    if (before.first !== undefined && first !== before.first && last === before.last) {
      // An older page came in above: keep what was on screen where it was.
      el.scrollTop += el.scrollHeight - before.height;
    } else if (atBottom.current || last?.startsWith('pending:')) {
      el.scrollTop = el.scrollHeight;
    }
    seen.current = { first, last, height: el.scrollHeight };
  }, [messages]);

  const others = members.filter((m) => m.userId !== me);
  return (
    <div
      className="message-scroll"
      ref={box}
      role="log"
      aria-live="polite"
      aria-label={t.messageLog}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {hasOlder && (
        <button type="button" className="older" disabled={loadingOlder} onClick={() => void loadOlder().catch(() => {})}>
          {loadingOlder ? t.loading : t.olderMessages}
        </button>
      )}
      {messages.length === 0 ? (
        <p className="empty">{t.noMessages}</p>
      ) : (
        <ol className="messages" aria-label={t.messages}>
          {messages.map((m, i) => (
            <MessageItem
              key={m.id}
              message={m}
              mine={m.senderId === me}
              // A bot's name shows even where names do not (a direct chat, the storefront card):
              // who answers should never pass for a person.
              showSender={
                (showSenders || sentByBot(m)) && m.senderId !== me && messages[i - 1]?.senderId !== m.senderId
              }
              chat={chat}
              me={me}
              members={members}
              others={others}
              onRefill={onRefill}
            />
          ))}
        </ol>
      )}
    </div>
  );
}
