// A scrolling log of messages — a conversation's, a thread's replies — oldest first, with
// "earlier" on top. It is a live "log" region: a screen reader reads out a message that
// arrives, politely (after what it is saying), without the reader having to look for it; it
// can be focused, so that a keyboard scrolls it.
//
// It stays at the bottom as messages come, unless the reader scrolled up to read back; at the
// bottom too for one's own send (a pending entry, id `pending:…`); and keeps its place when an
// older page is added above.

import type { PagedState } from '@missive/react';
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';

export function MessageLog({
  pages,
  label,
  listLabel,
  olderLabel,
  emptyText,
  children,
}: {
  /** What `useConversation` or `useThread` holds: the messages and their older pages. */
  pages: Pick<PagedState, 'messages' | 'hasOlder' | 'loadingOlder'> & { loadOlder: () => Promise<void> };
  /** The log's name, and the list's within it. */
  label: string;
  listLabel: string;
  /** "Earlier messages", or replies. */
  olderLabel: string;
  /** Shown without messages (`null`: nothing, while they load). */
  emptyText: string | null;
  /** The messages' items. */
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { messages, hasOlder, loadingOlder, loadOlder } = pages;
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

  return (
    <div
      className="message-scroll"
      ref={box}
      role="log"
      aria-live="polite"
      aria-label={label}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {hasOlder && (
        <button type="button" className="older" disabled={loadingOlder} onClick={() => void loadOlder().catch(() => {})}>
          {loadingOlder ? t.loading : olderLabel}
        </button>
      )}
      {messages.length === 0 ? (
        emptyText !== null && <p className="empty">{emptyText}</p>
      ) : (
        <ol className="messages" aria-label={listLabel}>
          {children}
        </ol>
      )}
    </div>
  );
}
