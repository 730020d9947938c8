// A partner's inbox: their storefront conversations, live, and the selected thread.
import { MissiveProvider, useConversation, useConversations, usePresence } from '@missive/react';
import { useEffect, useState } from 'react';

const getToken = () => fetch('/api/missive-token').then((r) => r.text()); // your backend signs it

export function PartnerApp({ partnerId }: { partnerId: string }) {
  return (
    <MissiveProvider
      clientOptions={{ url: 'wss://ws.example.com/ws', getToken }}
      restOptions={{ baseUrl: 'https://api.example.com', getToken }}
      userId={partnerId}
    >
      <Inbox />
    </MissiveProvider>
  );
}

function Inbox() {
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const { conversations, status, hasMore, loadMore } = useConversations({ kind: 'storefront', q: q || undefined });
  const clients = conversations.flatMap((c) => (c.participants ?? []).map((p) => p.userId));
  const presence = usePresence(clients);

  if (status === 'loading') return <p>Loading…</p>;
  return (
    <div className="inbox">
      <aside>
        <input placeholder="Search" value={q} onChange={(e) => setQ(e.target.value)} />
        <ul>
          {conversations.map((c) => (
            <li key={c.id} onClick={() => setSelected(c.id)} className={c.id === selected ? 'selected' : ''}>
              {c.participants?.some((p) => presence[p.userId]?.online) && '● '}
              <b>{c.title ?? c.participants?.map((p) => p.name).join(', ')}</b>
              {c.unreadCount > 0 && <span className="badge">{c.unreadCount}</span>}
              <p>{c.lastMessage?.deleted ? 'Message deleted' : c.lastMessage?.body}</p>
            </li>
          ))}
        </ul>
        {hasMore && <button onClick={() => void loadMore()}>More</button>}
      </aside>
      {selected && <Thread conversationId={selected} />}
    </div>
  );
}

function Thread({ conversationId }: { conversationId: string }) {
  const { messages, hasOlder, loadOlder, send, typing, setTyping, markRead, edit, remove } =
    useConversation(conversationId);
  // Shown means read: the newest message, whenever it changes (markRead never goes back or repeats).
  const newest = messages[messages.length - 1]?.id;
  useEffect(() => {
    if (newest) void markRead().catch(() => {});
  }, [newest, markRead]);

  return (
    <main>
      {hasOlder && <button onClick={() => void loadOlder()}>Older</button>}
      {messages.map((m) => (
        <article key={m.id}>
          <b>{m.senderName}</b> {m.body ?? <em>deleted</em>} {m.editedAt && <small>(edited)</small>}
          <button onClick={() => void edit(m.id, `${m.body} (fixed)`)}>Edit</button>
          <button onClick={() => void remove(m.id)}>Delete</button>
        </article>
      ))}
      {typing.length > 0 && <p>{typing[0]!.name} is typing…</p>}
      <textarea
        onChange={(e) => setTyping(e.target.value !== '')}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            void send(e.currentTarget.value).catch(() => {});
            e.currentTarget.value = '';
          }
        }}
      />
    </main>
  );
}
