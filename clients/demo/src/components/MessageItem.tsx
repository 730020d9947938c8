// One message: its text (or "deleted") and its files, when, "(edited)"; for one's own, the
// receipt — ✓ sent, ✓✓ read by everyone else — and edit / delete; a failed send offers retry.

import type { Member } from '@missive/client';
import { isPending, isReadByAll, readersOf, type ChatMessage, type UseConversation } from '@missive/react';
import { useState } from 'react';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n.js';
import { Attachments } from './Attachments.js';

export function MessageItem({
  message: m,
  mine,
  showSender,
  chat,
  me,
  others,
}: {
  message: ChatMessage;
  mine: boolean;
  showSender: boolean;
  chat: UseConversation;
  me: string;
  others: readonly Member[];
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

  return (
    <li className={`message ${mine ? 'mine' : 'theirs'}${deleted ? ' deleted' : ''}`}>
      {showSender && <span className="sender">{m.senderName}</span>}
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
          {t.sendFailed}
          <button type="button" className="link small" onClick={() => void chat.retry(pending.clientMessageId).catch(() => {})}>
            {t.retry}
          </button>
          <button type="button" className="link small" onClick={() => chat.discard(pending.clientMessageId)}>
            {t.discard}
          </button>
        </span>
      )}
    </li>
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
