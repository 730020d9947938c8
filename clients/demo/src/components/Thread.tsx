// One conversation: its header (name, members online, the pinned messages, the reader's mute
// and archive), the messages, who is typing and the composer (which gets back the text of a
// send moderation refused, and offers the members to mention); and beside it, the thread the
// reader opened. Shown means read: the read marker follows the newest message while the page
// is visible. Used by the messenger, the partner inbox and (as a card, without threads or
// pins: no room for them) the storefront chat.

import { usePresence, useConversation } from '@missive/react';
import { useEffect, useState, type ReactNode } from 'react';
import { conversationName } from '../format.js';
import { useI18n } from '../i18n.js';
import { usePins } from '../pins.js';
import { Composer, type Refill } from './Composer.js';
import { ConversationSettings } from './ConversationSettings.js';
import { ErrorNote } from './ErrorNote.js';
import { MessageList } from './MessageList.js';
import { OnlineDot, PresenceText } from './OnlineDot.js';
import { PinnedMessages } from './PinnedMessages.js';
import { ThreadPanel } from './ThreadPanel.js';

export function Thread({
  conversationId,
  me,
  header,
  showSenders,
  onSettingsChange,
  threads = false,
}: {
  conversationId: string;
  me: string;
  /** Replies in threads, in a side panel, and pinned messages. */
  threads?: boolean;
  /** Replaces the default header (the storefront card has its own). */
  header?: ReactNode;
  /** The reader muted, unmuted, archived or unarchived it (the server sends no event for it). */
  onSettingsChange?: () => void;
  /** Names above the others' messages; by default in groups and storefront conversations. */
  showSenders?: boolean;
}) {
  const { t } = useI18n();
  const chat = useConversation(conversationId);
  const { conversation, status, error, messages, markRead, typing } = chat;
  const others = (conversation?.members ?? []).filter((m) => m.userId !== me);
  const presence = usePresence(others.map((m) => m.userId));
  // A send moderation refused, given back to the composer to be reworded.
  const [refill, setRefill] = useState<Refill | null>(null);
  // The first message of the thread open beside the conversation.
  const [openThread, setOpenThread] = useState<string | null>(null);
  const pins = usePins(threads ? conversationId : null);

  // The newest stored message, whenever it changes, is read if the page is seen.
  const newest = [...messages].reverse().find((m) => !('pending' in m))?.id;
  useEffect(() => {
    if (!newest) return;
    const read = () => {
      if (document.visibilityState === 'visible') markRead().catch(() => {});
    };
    read();
    document.addEventListener('visibilitychange', read);
    return () => document.removeEventListener('visibilitychange', read);
  }, [newest, markRead]);

  const title = conversation ? conversationName(conversation, me, t.deletedUser) : '';
  const members = conversation?.members ?? [];
  return (
    <>
    <section className="thread" aria-label={title || t.messages}>
      {header ??
        (conversation && (
          <header className="thread-head">
            <div>
              <h2>{title}</h2>
              <ul className="members" aria-label={t.members}>
                {others.map((m) => (
                  <li key={m.userId}>
                    <OnlineDot presence={presence[m.userId]} />
                    {conversation.kind === 'direct' ? <PresenceText presence={presence[m.userId]} /> : m.name}
                  </li>
                ))}
              </ul>
            </div>
            <div className="thread-head-actions">
              {threads && <PinnedMessages pins={pins} members={members} me={me} />}
              <ConversationSettings conversationId={conversationId} onChange={onSettingsChange} />
            </div>
          </header>
        ))}
      {status === 'error' && <ErrorNote error={error} />}
      {status === 'loading' && <p className="empty">{t.loading}</p>}
      {status === 'ready' && (
        <MessageList
          chat={chat}
          me={me}
          members={members}
          showSenders={showSenders ?? conversation?.kind !== 'direct'}
          onRefill={(body, files) => setRefill({ body, files })}
          onOpenThread={threads ? setOpenThread : undefined}
          pins={threads ? pins : undefined}
        />
      )}
      <p className="typing" aria-live="polite">
        {typing.length > 0 ? t.typing(typing.map((u) => u.name)) : ''}
      </p>
      <Composer
        disabled={status !== 'ready'}
        onSend={(body, files) => chat.send(body, files).catch(() => {})}
        onTyping={chat.setTyping}
        refill={refill}
        members={others}
      />
    </section>
    {openThread && (
      // Another thread opened: a new panel (its focus and draft are that thread's).
      <ThreadPanel
        key={openThread}
        conversationId={conversationId}
        rootId={openThread}
        me={me}
        members={members}
        onClose={() => setOpenThread(null)}
      />
    )}
    </>
  );
}
