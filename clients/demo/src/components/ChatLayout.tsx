// The two chat screens' shared layout: the conversation list (searchable, paged) beside the
// open conversation. The messenger and the partner inbox differ only in the texts, the list's
// filter, their route and what the sidebar's header offers. "Archived" (a toggle) shows the
// conversations the reader archived instead, where they are found and unarchived; one comes
// back to the main list by itself with its next message.

import { useConversations, type ConversationListQuery } from '@missive/react';
import { useState, type ReactNode } from 'react';
import { useDebounced } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { href } from '../router.js';
import { ConversationList } from './ConversationList.js';
import { ErrorNote } from './ErrorNote.js';
import { Thread } from './Thread.js';

export function ChatLayout({
  me,
  selected,
  route,
  kind,
  title,
  headerAction,
  emptyText,
  pickText,
  children,
}: {
  me: string;
  selected: string | null;
  /** The route segment a conversation opens under: `#/<me>/<route>/<id>`. */
  route: string;
  /** Only this kind of conversation, when set. */
  kind?: ConversationListQuery['kind'];
  /** The sidebar's heading, also the list's accessible name. */
  title: string;
  headerAction?: ReactNode;
  /** Shown when there is no conversation at all (a search that finds none says so instead). */
  emptyText: string;
  /** Shown in the thread pane while no conversation is open. */
  pickText: string;
  /** Whatever the screen adds over the layout (a dialog). */
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState(false);
  const q = useDebounced(search.trim(), 250);
  const list = useConversations({ ...(kind ? { kind } : {}), ...(q ? { q } : {}), ...(archived ? { archived } : {}) });
  const listLabel = archived ? t.archivedConversations : title;

  return (
    <main className="chat-layout">
      <aside className="sidebar">
        <div className="sidebar-head">
          <h1>{title}</h1>
          {headerAction}
        </div>
        <input
          type="search"
          className="search"
          aria-label={t.searchConversations}
          placeholder={t.searchConversations}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <button
          type="button"
          className="link small archived-toggle"
          aria-pressed={archived}
          onClick={() => setArchived(!archived)}
        >
          {t.archived}
        </button>
        {list.status === 'error' && <ErrorNote error={list.error} onRetry={list.reload} />}
        {list.status === 'loading' && <p className="empty">{t.loading}</p>}
        {list.status === 'ready' && list.conversations.length === 0 && (
          <p className="empty">{q ? t.noMatch : archived ? t.noArchived : emptyText}</p>
        )}
        <ConversationList
          conversations={list.conversations}
          me={me}
          selected={selected}
          hrefOf={(id) => href(me, route, id)}
          label={listLabel}
        />
        {list.hasMore && (
          <button type="button" className="link" disabled={list.loadingMore} onClick={() => void list.loadMore()}>
            {t.moreConversations}
          </button>
        )}
      </aside>
      <div className="thread-pane">
        {selected ? (
          // A mute or an archive sends no event: the list asks again for the state it shows.
          <Thread key={selected} conversationId={selected} me={me} threads onSettingsChange={list.reload} />
        ) : (
          <p className="empty center">{pickText}</p>
        )}
      </div>
      {children}
    </main>
  );
}
