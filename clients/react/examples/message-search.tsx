// A search box over one conversation: debounced, the latest query's results only, paged back.
import { useMessageSearch } from '@missive/react';
import { useState } from 'react';

export function SearchPanel({ conversationId }: { conversationId: string }) {
  const [q, setQ] = useState('');
  const { status, results, more, loadingMore, loadMore } = useMessageSearch(conversationId, q);
  return (
    <div role="search">
      <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search this conversation" />
      {status === 'loading' && <p>Searching…</p>}
      {status === 'error' && <p>The search failed.</p>}
      {status === 'ready' && results.length === 0 && !more && <p>Nothing found.</p>}
      <ol>
        {results.map((m) => (
          <li key={m.id}>
            <b>{m.senderName}</b> {m.body}
          </li>
        ))}
      </ol>
      {more && (
        <button disabled={loadingMore} onClick={() => void loadMore()}>
          Search further back
        </button>
      )}
    </div>
  );
}
