// A thread beside its conversation: its first message with how many replies it has, the
// replies — a live "log" region like the conversation's (MessageLog.tsx), read out as they
// come — and a box to reply, with "Also send to the conversation" (otherwise a reply is in the thread only).
//
// A side panel rather than a dialog: the conversation stays usable beside it. It is a named
// complementary region; opening it moves focus to its box, Escape (or "Close") closes it, and
// focus goes back to what opened it ("Reply in thread", "3 replies").

import type { Member } from '@missive/client';
import { isPending, useThread, type ChatMessage, type UseThread } from '@missive/react';
import { useEffect, useId, useRef, useState } from 'react';
import { formatTime, senderName } from '../format.js';
import { useReturnFocus } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { Attachments } from './Attachments.js';
import { Composer, type Refill } from './Composer.js';
import { ErrorNote } from './ErrorNote.js';
import { FailedSend } from './FailedSend.js';
import { isDeleted, MessageBody } from './MessageBody.js';
import { MessageLog } from './MessageLog.js';

export function ThreadPanel({
  conversationId,
  rootId,
  me,
  members,
  onClose,
}: {
  conversationId: string;
  /** The thread's first message. */
  rootId: string;
  me: string;
  members: readonly Member[];
  onClose: () => void;
}) {
  const { t } = useI18n();
  const thread = useThread(conversationId, rootId);
  const { parent, messages, status, error } = thread;
  const panel = useRef<HTMLElement>(null);
  // First what opened it noted (focus goes back to it), then focus moved to the box.
  useReturnFocus(panel);
  useEffect(() => panel.current?.querySelector('textarea')?.focus(), []);
  const headingId = useId();
  const [alsoInConversation, setAlsoInConversation] = useState(false);
  // A reply moderation refused, given back to the box to be reworded.
  const [refill, setRefill] = useState<Refill | null>(null);

  return (
    <aside
      ref={panel}
      className="thread-panel"
      aria-labelledby={headingId}
      onKeyDown={(e) => {
        // Not an Escape something inside took already (the mention suggestions), nor one
        // closing a dialog opened from here (an image, the reaction picker).
        if (e.key !== 'Escape' || e.defaultPrevented || (e.target as Element).closest('dialog')) return;
        e.preventDefault();
        onClose();
      }}
    >
      <header className="thread-panel-head">
        <h2 id={headingId}>{t.threadTitle}</h2>
        <button type="button" className="small" onClick={onClose}>
          {t.closeThread}
        </button>
      </header>
      {status === 'error' && <ErrorNote error={error} />}
      {status === 'loading' && <p className="empty">{t.loading}</p>}
      {parent && (
        <div className="thread-parent">
          <ThreadMessage as="div" message={parent} me={me} members={members} />
          <p className="reply-total">{t.replyCount(parent.replyCount ?? 0)}</p>
        </div>
      )}
      <MessageLog
        pages={thread}
        label={t.threadLog}
        listLabel={t.threadReplies}
        olderLabel={t.olderReplies}
        emptyText={status === 'ready' ? t.noReplies : null}
      >
        {messages.map((m) => (
          <ThreadMessage
            key={m.id}
            message={m}
            me={me}
            members={members}
            thread={thread}
            onRefill={(body, files) => setRefill({ body, files })}
          />
        ))}
      </MessageLog>
      <Composer
        label={t.yourReply}
        disabled={status !== 'ready'}
        members={members.filter((m) => m.userId !== me)}
        refill={refill}
        onSend={(body, files) => void thread.send(body, { alsoInConversation, files }).catch(() => {})}
        options={
          <label className="also-send">
            <input
              type="checkbox"
              checked={alsoInConversation}
              onChange={(e) => setAlsoInConversation(e.target.checked)}
            />
            {t.alsoSendToConversation}
          </label>
        }
      />
    </aside>
  );
}

/** The first message or a reply: who, the text and files, when; a reply on its way or failed says so. */
function ThreadMessage({
  as: Tag = 'li',
  message: m,
  me,
  members,
  thread,
  onRefill,
}: {
  as?: 'li' | 'div';
  message: ChatMessage;
  me: string;
  members: readonly Member[];
  /** For a reply: its thread's retry and discard. */
  thread?: UseThread;
  onRefill?: (body: string, files: File[]) => void;
}) {
  const { t, lang } = useI18n();
  const mine = m.senderId === me;
  const pending = isPending(m) ? m : null;
  const deleted = isDeleted(m);
  return (
    <Tag className={`message ${mine ? 'mine' : 'theirs'}${deleted ? ' deleted' : ''}`}>
      <span className="sender">{mine ? t.you : senderName(m, t.deletedUser)}</span>
      <div className="bubble">
        <MessageBody message={m} members={members} me={me} />
        {!deleted && <Attachments message={m} />}
        <span className="meta">
          {m.alsoInConversation && <span>{t.alsoInConversationMark}</span>}
          {pending ? (
            pending.pending === 'sending' && (
              <span className="receipt pending" role="img" aria-label={t.sending}>
                …
              </span>
            )
          ) : (
            <time dateTime={m.createdAt}>{formatTime(m.createdAt, lang)}</time>
          )}
        </span>
      </div>
      {pending?.pending === 'failed' && thread && onRefill && (
        <FailedSend pending={pending} retry={thread.retry} discard={thread.discard} onRefill={onRefill} />
      )}
    </Tag>
  );
}
