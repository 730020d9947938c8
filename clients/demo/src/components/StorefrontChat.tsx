// The storefront's chat card. A visitor gives a first name and gets a guest session (a token
// for their one conversation with the shop's partners); the card then is that conversation,
// live, under its own Missive connection. The demo tenant masks phone numbers and e-mail
// addresses in storefront conversations (a moderation rule: deals go through the marketplace
// until a booking), and the card says so before the guest writes one.

import { MissiveRest, type GuestSession } from '@missive/client';
import { MissiveProvider, usePresence } from '@missive/react';
import { useState } from 'react';
import { API_BASE, STOREFRONT_ID, WS_URL } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';
import { Thread } from './Thread.js';

export function StorefrontChat({
  session,
  onSession,
}: {
  session: GuestSession | null;
  onSession: (session: GuestSession | null) => void;
}) {
  const { t } = useI18n();
  return (
    <aside className="chat-card" aria-label={t.chatCardLabel}>
      {session ? (
        <MissiveProvider
          key={session.token}
          clientOptions={{ url: WS_URL, restUrl: API_BASE, getToken: () => session.token }}
          restOptions={{ baseUrl: API_BASE, getToken: () => session.token }}
          userId={session.user.id}
        >
          <GuestThread session={session} onLeave={() => onSession(null)} />
        </MissiveProvider>
      ) : (
        <StartForm onSession={onSession} />
      )}
    </aside>
  );
}

function StartForm({ onSession }: { onSession: (session: GuestSession) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      className="chat-start"
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) return;
        setBusy(true);
        setError(null);
        new MissiveRest({ baseUrl: API_BASE })
          .createGuestSession(STOREFRONT_ID, { name: name.trim(), ...(email.trim() ? { email: email.trim() } : {}) })
          .then(onSession, (e: unknown) => {
            setError(e);
            setBusy(false);
          });
      }}
    >
      <h2>{t.chatTitle}</h2>
      <p>{t.chatIntro}</p>
      <label className="field">
        {t.yourName}
        <input value={name} required maxLength={100} autoComplete="given-name" onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        {t.yourEmail}
        <input type="email" value={email} autoComplete="email" onChange={(e) => setEmail(e.target.value)} />
      </label>
      {error !== null && <ErrorNote error={error} />}
      <button type="submit" className="primary" disabled={busy || !name.trim()}>
        {t.startChat}
      </button>
    </form>
  );
}

function GuestThread({ session, onLeave }: { session: GuestSession; onLeave: () => void }) {
  const { t } = useI18n();
  const partnerIds = session.conversation.members.map((m) => m.userId).filter((id) => id !== session.user.id);
  // A guest may not read the directory: presence comes from live events only.
  const presence = usePresence(partnerIds);
  // Unknown until an event says so: then online, or away.
  const online = partnerIds.some((id) => presence[id]?.online);
  const known = partnerIds.some((id) => presence[id] !== undefined);
  return (
    <Thread
      conversationId={session.conversation.id}
      me={session.user.id}
      showSenders={false}
      header={
        <header className="chat-card-head">
          <div>
            <h2>{t.chatTitle}</h2>
            <p className={`partner-presence ${online ? 'on' : 'off'}`}>
              {known && <span className="presence-dot" aria-hidden="true" />}
              {online ? t.partnerOnline : known ? t.partnerOffline : t.partnerUnknown}
            </p>
            <p className="chat-card-note">{t.contactsMasked}</p>
          </div>
          <button type="button" className="link small" onClick={onLeave}>
            {t.endChat}
          </button>
        </header>
      }
    />
  );
}
