// One message: who sent it (a bot marked as such), its text with its mentions (or "deleted")
// and its files, when, "(edited)"; its reactions, and "React" to add one (a stored message
// only: a send still pending or failed has no id on the server, a deleted message takes none);
// for one's own, the receipt — ✓ sent, ✓✓ read by everyone else — and edit / delete (a second
// step confirms: a deletion cannot be undone, and the others see it); a failed send offers
// retry, and one the tenant's moderation refused says why, in the sender's language, and gives
// its text back to the composer (sent again as is, it would be refused again).

import { isMissiveError, type Member, type ModerationReason } from '@missive/client';
import {
  isPending,
  isReadByAll,
  readersOf,
  type ChatMessage,
  type PendingMessage,
  type UseConversation,
} from '@missive/react';
import { useEffect, useRef, useState } from 'react';
import { formatTime, sentByBot } from '../format.js';
import { useI18n, type Dictionary } from '../i18n.js';
import { useReacting } from '../reactions.js';
import { Attachments } from './Attachments.js';
import { MessageText } from './MessageText.js';
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
        <span>{m.body}</span>
      </li>
    );

  const pending = isPending(m) ? m : null;
  const deleted = m.deletedAt != null || (m.body == null && !m.attachments?.length);
  const canReact = !pending && !deleted;
  const canChange = mine && canReact;
  const reactions = m.reactions ?? [];
  const refused = pending?.pending === 'failed' ? refusal(pending, t) : null;
  // A send not stored yet has no `mentions`: its tokens naming members will be (the server's rule).
  const mentions = m.mentions ?? (pending ? members.map((u) => u.userId) : []);

  return (
    <li className={`message ${mine ? 'mine' : 'theirs'}${deleted ? ' deleted' : ''}`}>
      {showSender && (
        <span className="sender">
          {m.senderName}
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
        ) : deleted ? (
          <p className="body">
            <em>{t.messageDeleted}</em>
          </p>
        ) : (
          m.body != null && (
            <p className="body">
              <MessageText body={m.body} mentions={mentions} members={members} me={me} />
            </p>
          )
        )}
        {!deleted && <Attachments message={m} />}
        <span className="meta">
          {m.editedAt && !deleted && <span className="edited">{t.edited}</span>}
          {!pending && <time dateTime={m.createdAt}>{formatTime(m.createdAt, lang)}</time>}
          {mine && <Receipt message={m} chat={chat} me={me} others={others} />}
        </span>
      </div>
      {canReact && <ReactionBar reactions={reactions} onToggle={reacting.toggle} />}
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
        <span className="message-actions failed" role="alert">
          {refused ?? t.sendFailed}
          {refused !== null && (
            <button
              type="button"
              className="link small"
              onClick={() => {
                // The files the send held (the composer's own File objects), with the text.
                onRefill(pending.body ?? '', (pending.files ?? []).map((f) => f.file as File));
                chat.discard(pending.clientMessageId);
              }}
            >
              {t.editRefused}
            </button>
          )}
          {/* The same text is refused again by the rules; the pre-send check may say yes later. */}
          {(refused === null || moderationReason(pending) === 'hook') && (
            <button type="button" className="link small" onClick={() => void chat.retry(pending.clientMessageId).catch(() => {})}>
              {t.retry}
            </button>
          )}
          <button type="button" className="link small" onClick={() => chat.discard(pending.clientMessageId)}>
            {t.discard}
          </button>
        </span>
      )}
    </li>
  );
}

/** Why moderation refused the send (`undefined` if the server gave no reason), `null` if it was not moderation. */
function moderationReason(pending: PendingMessage): string | undefined | null {
  const error = pending.error;
  return isMissiveError(error) && error.code === 'moderated' ? error.reason : null;
}

/** The sender's note for a send moderation refused, by its reason; `null` for another failure. */
function refusal(pending: PendingMessage, t: Dictionary): string | null {
  const reason = moderationReason(pending);
  if (reason === null) return null;
  return t.moderated[reason as ModerationReason] ?? t.moderatedOther;
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
