// A message's text as the screens show it — the conversation, a thread, the pinned messages:
// its mentions as chips, or "Message deleted" in its place.

import type { Member } from '@missive/client';
import { isPending, type ChatMessage } from '@missive/react';
import { useI18n } from '../i18n.js';
import { MessageText } from './MessageText.js';

/** Deleted, or with nothing left to show (no text, no file). */
export function isDeleted(message: ChatMessage): boolean {
  return message.deletedAt != null || (message.body == null && !message.attachments?.length);
}

export function MessageBody({
  message: m,
  members,
  me,
}: {
  message: ChatMessage;
  /** Everyone in the conversation, to name the mentioned. */
  members: readonly Member[];
  me: string;
}) {
  const { t } = useI18n();
  if (isDeleted(m))
    return (
      <p className="body">
        <em>{t.messageDeleted}</em>
      </p>
    );
  if (m.body == null) return null;
  // A send not stored yet has no `mentions`: its tokens naming members will be (the server's rule).
  const mentions = m.mentions ?? (isPending(m) ? members.map((u) => u.userId) : []);
  return (
    <p className="body">
      <MessageText body={m.body} mentions={mentions} members={members} me={me} />
    </p>
  );
}
