// The staff messenger: the conversation list (searchable) beside the open conversation, and a
// dialog to start a new one.

import { useConversations } from '@missive/react';
import { useState } from 'react';
import { ConversationList } from '../components/ConversationList.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { NewConversationDialog } from '../components/NewConversationDialog.js';
import { Thread } from '../components/Thread.js';
import { useDebounced } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { href, navigate } from '../router.js';

export function Messenger({ me, selected }: { me: string; selected: string | null }) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const list = useConversations(q ? { q } : {});
  const [creating, setCreating] = useState(false);

  return (
    <main className="chat-layout">
      <aside className="sidebar">
        <div className="sidebar-head">
          <h1>{t.conversations}</h1>
          <button type="button" className="primary small" onClick={() => setCreating(true)}>
            {t.newConversation}
          </button>
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
          <p className="empty">{q ? t.noMatch : t.noConversations}</p>
        )}
        <ConversationList
          conversations={list.conversations}
          me={me}
          selected={selected}
          hrefOf={(id) => href(me, 'messages', id)}
          label={t.conversations}
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
          <p className="empty center">{t.pickConversation}</p>
        )}
      </div>
      {creating && (
        <NewConversationDialog
          me={me}
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            navigate(me, 'messages', id);
          }}
        />
      )}
    </main>
  );
}
