// The conversation list: each with its name, the last message (mentions as "@Name"), its time,
// an unread badge, a muted icon while the reader has muted it, and an online dot for the other
// person of a direct or storefront conversation (none for someone erased: no one is there).

import type { ConversationListItem } from '@missive/client';
import { usePresence } from '@missive/react';
import { conversationName, ERASED, formatWhen, initials } from '../format.js';
import { useI18n } from '../i18n.js';
import { readableMentions } from '../mentions.js';
import { MutedIcon } from './MutedIcon.js';
import { OnlineDot } from './OnlineDot.js';

export function ConversationList({
  conversations,
  me,
  selected,
  hrefOf,
  label,
}: {
  conversations: readonly ConversationListItem[];
  me: string;
  selected: string | null;
  hrefOf: (id: string) => string;
  label: string;
}) {
  const { t, lang } = useI18n();
  const others = conversations.flatMap((c) =>
    c.kind === 'group'
      ? []
      : (c.participants ?? []).filter((p) => p.userId !== me && p.userId !== ERASED).map((p) => p.userId),
  );
  const presence = usePresence(others);

  return (
    <ul className="conversation-list" aria-label={label}>
      {conversations.map((c) => {
        const name = conversationName(c, me, t.deletedUser);
        const other =
          c.kind === 'group' ? undefined : c.participants?.find((p) => p.userId !== me && p.userId !== ERASED);
        const last = c.lastMessage;
        // The preview has no `mentions`: a token naming a participant is one (the server's rule).
        const body = last ? readableMentions(last.body, (id) => c.participants?.find((p) => p.userId === id)?.name) : '';
        const preview = !last
          ? t.noMessageYet
          : last.deleted
            ? t.messageDeleted
            : last.kind === 'system'
              ? last.body
              : t.labelled(
                  last.senderId === me
                    ? t.you
                    : last.senderId === ERASED
                      ? t.deletedUser
                      : (last.senderName.split(' ')[0] ?? ''),
                  body,
                );
        const muted = c.mutedUntil != null && Date.parse(c.mutedUntil) > Date.now();
        return (
          <li key={c.id} className={c.id === selected ? 'selected' : undefined}>
            <a href={hrefOf(c.id)} aria-current={c.id === selected ? 'true' : undefined}>
              <span className={`avatar small ${c.kind}`} aria-hidden="true">
                {c.kind === 'group' ? '#' : initials(name)}
              </span>
              {other && <OnlineDot presence={presence[other.userId]} />}
              <span className="conversation-text">
                <span className="conversation-name">
                  {name}
                  {c.kind !== 'direct' && <span className={`kind-chip ${c.kind}`}>{t.kinds[c.kind]}</span>}
                </span>
                <span className="preview">{preview}</span>
              </span>
              <span className="conversation-meta">
                {last && <time dateTime={last.createdAt}>{formatWhen(last.createdAt, lang)}</time>}
                {muted && <MutedIcon label={t.muted} />}
                {/* A count named in words ("2 unread messages"): a name needs a role to be read. */}
                {c.unreadCount > 0 && (
                  <span className="badge" role="img" aria-label={t.unread(c.unreadCount)}>
                    {c.unreadCount}
                  </span>
                )}
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}
