// A thread beside its conversation: the first message, its replies live, a composer that may
// also send the reply to the conversation; each message of the conversation opens its thread.
import type { Message } from '@missive/client';
import { isPending, useConversation, useThread } from '@missive/react';
import { useState } from 'react';

export function ConversationWithThreads({ conversationId }: { conversationId: string }) {
  const { messages } = useConversation(conversationId);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="with-thread">
      <ol>
        {messages.map((m) => (
          <li key={m.id}>
            {m.body}
            {/* A reply shown in the conversation opens the thread it belongs to. */}
            <button onClick={() => setOpen(m.parentId ?? m.id)}>
              {m.replyCount ? `${m.replyCount} replies` : 'Reply in thread'}
            </button>
          </li>
        ))}
      </ol>
      {open && <ThreadPanel conversationId={conversationId} messageId={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

function ThreadPanel(props: { conversationId: string; messageId: string; onClose: () => void }) {
  const { parent, messages, status, hasOlder, loadOlder, send, retry } = useThread(props.conversationId, props.messageId);
  const [draft, setDraft] = useState('');
  const [alsoInConversation, setAlso] = useState(false);
  if (status === 'loading') return <aside>Loading…</aside>;
  return (
    <aside aria-label="Thread">
      <button onClick={props.onClose}>Close</button>
      {parent && <Bubble message={parent} />}
      {hasOlder && <button onClick={() => void loadOlder()}>Earlier replies</button>}
      <ol role="log">
        {messages.map((m) => (
          <li key={m.id}>
            <Bubble message={m} />
            {isPending(m) && m.pending === 'failed' && (
              <button onClick={() => void retry(m.clientMessageId).catch(() => {})}>Retry</button>
            )}
          </li>
        ))}
      </ol>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send(draft, { alsoInConversation }).catch(() => {}); // a failure shows as a failed entry
          setDraft('');
        }}
      >
        <input value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="Reply" />
        <label>
          <input type="checkbox" checked={alsoInConversation} onChange={(e) => setAlso(e.target.checked)} />
          Also send to the conversation
        </label>
        <button disabled={draft.trim() === ''}>Reply</button>
      </form>
    </aside>
  );
}

function Bubble({ message }: { message: Message }) {
  return (
    <p>
      <b>{message.senderName}</b> {message.body ?? <em>deleted</em>}
    </p>
  );
}
