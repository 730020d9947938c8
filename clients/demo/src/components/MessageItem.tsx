// One message: who sent it (a bot marked as such; someone erased, "Deleted user"), its text
// with its mentions (or "deleted") and its files, when, "(edited)", pinned; its reactions, and
// "React" to add one (a stored message only: a send still pending or failed has no id on the
// server, a deleted message takes none); its thread — "3 replies · last at 14:05" — and "Reply
// in thread", both opening the thread beside the conversation; "Pin" or "Unpin"; for one's own,
// the receipt — ✓ sent, ✓✓ read by everyone else — and edit / delete (a second step confirms: a
// deletion cannot be undone, and the others see it); a failed send offers what FailedSend.tsx
// says.

import type { Member } from '@missive/client';
import { isPending, isReadByAll, readersOf, type ChatMessage, type UseConversation } from '@missive/react';
import { useEffect, useRef, useState } from 'react';
import { formatTime, formatWhen, senderName, sentByBot } from '../format.js';
import { useI18n } from '../i18n.js';
import { messageElementId, type Pins } from '../pins.js';
import { useReacting } from '../reactions.js';
import { Attachments } from './Attachments.js';
import { FailedSend } from './FailedSend.js';
import { isDeleted, MessageBody } from './MessageBody.js';
import { ReactionBar } from './ReactionBar.js';
import { ReactionPicker } from './ReactionPicker.js';

export function MessageItem({
  message: m,
  mine,
  showSender,
  chat,
  me,
  members,
  others,
  onRefill,
  onOpenThread,
  pins,
}: {
  message: ChatMessage;
  mine: boolean;
  showSender: boolean;
  chat: UseConversation;
  me: string;
  /** Everyone in the conversation, to name the mentioned. */
  members: readonly Member[];
  others: readonly Member[];
  /** Puts a refused message's text and files back in the composer. */
  onRefill: (body: string, files: File[]) => void;
  /** Opens the thread of this first message beside the conversation; absent: no threads here. */
  onOpenThread?: ((rootId: string) => void) | undefined;
  /** The conversation's pins; absent: no pinning here. */
  pins?: Pins | undefined;
}) {
  const { t, lang } = useI18n();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  // "Delete" asks again in place: "Confirm deletion" (focused) or "Cancel" (or Escape), which
  // gives focus back to "Delete".
  const [confirming, setConfirming] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const refocusDelete = useRef(false);
  const deleting = useRef(false);
  useEffect(() => {
    if (confirming || !refocusDelete.current) return;
    refocusDelete.current = false;
    deleteButton.current?.focus();
  }, [confirming]);
  const cancelDelete = () => {
    refocusDelete.current = true;
    setConfirming(false);
  };
  const reacting = useReacting(chat, m.id);

  if (m.kind === 'system')
    return (
      <li className="message system">
        {/* Its author erased, a line of no one, its text gone. */}
        <span>{m.body ?? t.messageDeleted}</span>
      </li>
    );

  const pending = isPending(m) ? m : null;
  const deleted = isDeleted(m);
  const canReact = !pending && !deleted;
  const canChange = mine && canReact;
  const reactions = m.reactions ?? [];
  const pinned = !pending && !!pins?.pinned.has(m.id);
  // A reply shown in the conversation belongs to its first message's thread.
  const rootId = m.parentId ?? m.id;

  return (
    // Reachable by id and focusable, for the pinned messages' list to take the reader to it.
    <li id={messageElementId(m.id)} tabIndex={-1} className={`message ${mine ? 'mine' : 'theirs'}${deleted ? ' deleted' : ''}`}>
      {showSender && (
        <span className="sender">
          {senderName(m, t.deletedUser)}
          {sentByBot(m) && (
            <span className="bot-badge" title={t.botTitle}>
              {t.botBadge}
            </span>
          )}
        </span>
      )}
      <div className="bubble">
        {editing ? (
          <form
            className="edit-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!draft.trim()) return;
              setEditing(false);
              if (draft !== m.body) void chat.edit(m.id, draft).catch(() => {});
            }}
          >
            <input
              aria-label={t.editMessage}
              value={draft}
              maxLength={4000}
              autoFocus
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
            />
            <button type="submit" className="primary small">
              {t.save}
            </button>
            <button type="button" className="small" onClick={() => setEditing(false)}>
              {t.cancel}
            </button>
          </form>
        ) : (
          <MessageBody message={m} members={members} me={me} />
        )}
        {!deleted && <Attachments message={m} />}
        <span className="meta">
          {pinned && <span className="pinned-mark">{t.pinnedMark}</span>}
          {m.editedAt && !deleted && <span className="edited">{t.edited}</span>}
          {!pending && <time dateTime={m.createdAt}>{formatTime(m.createdAt, lang)}</time>}
          {mine && <Receipt message={m} chat={chat} me={me} others={others} />}
        </span>
      </div>
      {canReact && <ReactionBar reactions={reactions} onToggle={reacting.toggle} />}
      {onOpenThread && !pending && <ThreadLink message={m} onOpen={() => onOpenThread(rootId)} />}
      {reacting.failure && (
        <p className="reaction-note" role="alert">
          {t.reactionFailed[reacting.failure]}{' '}
          <button type="button" className="link small" onClick={reacting.dismiss}>
            {t.dismissNote}
          </button>
        </p>
      )}
      {canReact && !editing && (
        <span
          className={`message-actions${confirming ? ' confirming' : ''}`}
          onKeyDown={(e) => confirming && e.key === 'Escape' && cancelDelete()}
        >
          {/* Keyed: the confirm step's buttons are new ones, not the same two relabelled (focus,
              on "Delete", would stay on that button, then "Cancel"). */}
          {confirming ? (
            <>
              <button
                key="confirm"
                type="button"
                className="link small danger"
                autoFocus
                onClick={(e) => {
                  if (deleting.current) return;
                  deleting.current = true;
                  // The buttons go with the message's text once the server has deleted it:
                  // focus stays in the conversation.
                  e.currentTarget.closest<HTMLElement>('[role="log"]')?.focus();
                  void chat
                    .remove(m.id)
                    .catch(() => setConfirming(false))
                    .finally(() => (deleting.current = false));
                }}
              >
                {t.confirmDelete}
              </button>
              <button key="cancel" type="button" className="link small" onClick={cancelDelete}>
                {t.cancel}
              </button>
            </>
          ) : (
            <>
              <ReactionPicker key="react" reactions={reactions} align={mine ? 'end' : 'start'} onPick={reacting.toggle} />
              {onOpenThread && (
                <button key="thread" type="button" className="link small" onClick={() => onOpenThread(rootId)}>
                  {t.replyInThread}
                </button>
              )}
              {pins && (
                <button key="pin" type="button" className="link small" onClick={() => pins.toggle(m.id, !pinned)}>
                  {pinned ? t.unpin : t.pin}
                </button>
              )}
              {canChange && (
                <>
                  <button
                    key="edit"
                    type="button"
                    className="link small"
                    onClick={() => {
                      setDraft(m.body ?? '');
                      setEditing(true);
                    }}
                  >
                    {t.edit}
                  </button>
                  <button
                    key="delete"
                    ref={deleteButton}
                    type="button"
                    className="link small danger"
                    onClick={() => setConfirming(true)}
                  >
                    {t.delete}
                  </button>
                </>
              )}
            </>
          )}
        </span>
      )}
      {pending?.pending === 'failed' && (
        <FailedSend pending={pending} retry={chat.retry} discard={chat.discard} onRefill={onRefill} />
      )}
    </li>
  );
}

/**
 * Under a thread's first message, "3 replies · last at 14:05"; under a reply also shown in the
 * conversation, "In a thread". Either opens the thread.
 */
function ThreadLink({ message: m, onOpen }: { message: ChatMessage; onOpen: () => void }) {
  const { t, lang } = useI18n();
  if (m.parentId)
    return (
      <button type="button" className="link small thread-link" onClick={onOpen}>
        {t.inThread}
      </button>
    );
  if (!m.replyCount) return null;
  return (
    <button type="button" className="link small thread-link" onClick={onOpen}>
      {t.replyCount(m.replyCount)}
      {m.lastReplyAt && (
        <>
          {' · '}
          <time dateTime={m.lastReplyAt}>{t.lastReply(formatWhen(m.lastReplyAt, lang))}</time>
        </>
      )}
    </button>
  );
}

function Receipt({
  message: m,
  chat,
  me,
  others,
}: {
  message: ChatMessage;
  chat: UseConversation;
  me: string;
  others: readonly Member[];
}) {
  const { t } = useI18n();
  if (isPending(m)) {
    if (m.pending === 'failed') return null;
    return (
      <span className="receipt pending" role="img" aria-label={t.sending}>
        …
      </span>
    );
  }
  if (m.deletedAt) return null;
  const readers = readersOf(chat.readBy, m.id, me);
  const names = others.filter((o) => readers.includes(o.userId)).map((o) => o.name);
  if (isReadByAll(chat.readBy, m.id, me))
    return (
      <span className="receipt read" role="img" aria-label={t.receiptRead} title={t.receiptReadBy(names.join(', '))}>
        ✓✓
      </span>
    );
  return (
    <span
      className="receipt sent"
      role="img"
      aria-label={t.receiptSent}
      title={names.length > 0 ? t.receiptReadBy(names.join(', ')) : t.receiptSent}
    >
      ✓
    </span>
  );
}
