// A storefront's chat card: a visitor opens a guest session and talks to the shop's partners.
import { MissiveRest, type GuestSession } from '@missive/client';
import { MissiveProvider, isPending, readersOf, useConversation, useMissive, usePresence } from '@missive/react';
import { useState } from 'react';

const API = 'https://api.example.com';
const WS = 'wss://ws.example.com/ws';

export function StorefrontChat({ storefrontId }: { storefrontId: string }) {
  const [session, setSession] = useState<GuestSession | null>(null);
  // Opening a guest session is public (no token): it answers the guest's token, user and conversation.
  const start = async (name: string) =>
    setSession(await new MissiveRest({ baseUrl: API }).createGuestSession(storefrontId, { name }));

  if (!session) return <button onClick={() => void start('Zoé')}>Chat with us</button>;
  const getToken = () => session.token;
  return (
    // The provider makes the client and the REST helper, connects, and closes on unmount; the
    // key makes a new session a new provider.
    <MissiveProvider
      key={session.token}
      clientOptions={{ url: WS, getToken }}
      restOptions={{ baseUrl: API, getToken }}
      userId={session.user.id}
    >
      <ChatCard
        conversationId={session.conversation.id}
        partnerIds={session.conversation.members.map((m) => m.userId).filter((id) => id !== session.user.id)}
      />
    </MissiveProvider>
  );
}

function ChatCard({ conversationId, partnerIds }: { conversationId: string; partnerIds: string[] }) {
  const { state, userId } = useMissive();
  const { messages, send, retry, typing, setTyping, readBy, hasOlder, loadOlder, markRead } =
    useConversation(conversationId);
  // Guests may not read the directory: presence comes from live events only.
  const presence = usePresence(partnerIds);
  const [draft, setDraft] = useState('');
  const someoneOnline = partnerIds.some((id) => presence[id]?.online);
  const lastOwn = [...messages].reverse().find((m) => m.senderId === userId && !isPending(m));

  return (
    <section className="chat-card" onFocus={() => void markRead().catch(() => {})}>
      <header>
        {someoneOnline ? 'We are online' : 'We will answer by e-mail'}
        {state !== 'connected' && ' · reconnecting…'}
      </header>
      {hasOlder && <button onClick={() => void loadOlder()}>Earlier messages</button>}
      <ol>
        {messages.map((m) => (
          <li key={m.id} className={m.senderId === userId ? 'mine' : 'theirs'}>
            {m.body ?? <em>deleted</em>}
            {isPending(m) && m.pending === 'sending' && ' …'}
            {isPending(m) && m.pending === 'failed' && (
              <button onClick={() => void retry(m.clientMessageId).catch(() => {})}>Retry</button>
            )}
            {m === lastOwn && readersOf(readBy, m.id, userId).length > 0 && <small> Seen</small>}
          </li>
        ))}
      </ol>
      {typing.length > 0 && <p>{typing.map((t) => t.name).join(', ')} is typing…</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!draft.trim()) return;
          void send(draft).catch(() => {}); // a failure shows on the message, with Retry
          setDraft('');
        }}
      >
        <input
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setTyping(e.target.value !== '');
          }}
        />
      </form>
    </section>
  );
}
