// The partner's inbox: the conversations of their storefronts, newest activity first, with
// unread badges; the open one answered on the right.

import { useConversations } from '@missive/react';
import { useState } from 'react';
import { ConversationList } from '../components/ConversationList.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { Thread } from '../components/Thread.js';
import { useDebounced } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { href } from '../router.js';

export function PartnerInbox({ me, selected }: { me: string; selected: string | null }) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const list = useConversations(q ? { kind: 'storefront', q } : { kind: 'storefront' });

  return (
    <main className="chat-layout">
      <aside className="sidebar">
        <div className="sidebar-head">
          <h1>{t.inboxTitle}</h1>
        </div>
        <input
          type="search"
          className="search"
          aria-label={t.searchConversations}
          placeholder={t.searchConversations}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {list.status === 'error' && <ErrorNote error={list.error} onRetry={list.reload} />}
        {list.status === 'loading' && <p className="empty">{t.loading}</p>}
        {list.status === 'ready' && list.conversations.length === 0 && (
          <p className="empty">{q ? t.noMatch : t.inboxEmpty}</p>
        )}
        <ConversationList
          conversations={list.conversations}
          me={me}
          selected={selected}
          hrefOf={(id) => href(me, 'inbox', id)}
          label={t.inboxTitle}
        />
        {list.hasMore && (
          <button type="button" className="link" disabled={list.loadingMore} onClick={() => void list.loadMore()}>
            {t.moreConversations}
          </button>
        )}
      </aside>
      <div className="thread-pane">
        {selected ? (
          <Thread key={selected} conversationId={selected} me={me} />
        ) : (
          <p className="empty center">{t.pickStorefrontConversation}</p>
        )}
      </div>
    </main>
  );
}
