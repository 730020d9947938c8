// One message: who sent it (a bot marked as such), its text (or "deleted") and its files, when,
// "(edited)"; for one's own, the receipt — ✓ sent, ✓✓ read by everyone else — and edit /
// delete; a failed send offers retry, and one the tenant's moderation refused says why, in the
// sender's language, and gives its text back to the composer (sent again as is, it would be
// refused again).

import { isMissiveError, type Member, type ModerationReason } from '@missive/client';
import {
  isPending,
  isReadByAll,
  readersOf,
  type ChatMessage,
  type PendingMessage,
  type UseConversation,
} from '@missive/react';
import { useState } from 'react';
import { formatTime, sentByBot } from '../format.js';
import { useI18n, type Dictionary } from '../i18n.js';
import { Attachments } from './Attachments.js';

export function MessageItem({
  message: m,
  mine,
  showSender,
  chat,
  me,
  others,
  onRefill,
}: {
  message: ChatMessage;
  mine: boolean;
  showSender: boolean;
  chat: UseConversation;
  me: string;
  others: readonly Member[];
  /** Puts a refused message's text and files back in the composer. */
  onRefill: (body: string, files: File[]) => void;
}) {
  const { t, lang } = useI18n();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');

  if (m.kind === 'system')
    return (
      <li className="message system">
        <span>{m.body}</span>
      </li>
    );

  const pending = isPending(m) ? m : null;
  const deleted = m.deletedAt != null || (m.body == null && !m.attachments?.length);
  const canChange = mine && !pending && !deleted;
  const refused = pending?.pending === 'failed' ? refusal(pending, t) : null;

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
          m.body != null && <p className="body">{m.body}</p>
        )}
        {!deleted && <Attachments message={m} />}
        <span className="meta">
          {m.editedAt && !deleted && <span className="edited">{t.edited}</span>}
          {!pending && <time dateTime={m.createdAt}>{formatTime(m.createdAt, lang)}</time>}
          {mine && <Receipt message={m} chat={chat} me={me} others={others} />}
        </span>
      </div>
      {canChange && !editing && (
        <span className="message-actions">
          <button
            type="button"
            className="link small"
            onClick={() => {
              setDraft(m.body ?? '');
              setEditing(true);
            }}
          >
            {t.edit}
          </button>
          <button type="button" className="link small danger" onClick={() => void chat.remove(m.id).catch(() => {})}>
            {t.delete}
          </button>
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
