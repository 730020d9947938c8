// A demo person's screens: one Missive connection (the provider) for all of them, the bell and
// the toasts in every screen, their unread messages in the tab's title, and the screen the
// route names (an admin's own screen included).

import { MissiveProvider } from '@missive/react';
import { useEffect, useState } from 'react';
import { API_BASE, WS_URL, demoSession, type DemoSession } from '../api.js';
import { Bell } from '../components/Bell.js';
import { ConnectionStatus } from '../components/ConnectionStatus.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { Header, type NavItem } from '../components/Header.js';
import { NotificationsProvider } from '../components/NotificationsContext.js';
import { TabTitle, UnreadTabTitle } from '../components/TabTitle.js';
import { Toasts } from '../components/Toasts.js';
import { useI18n } from '../i18n.js';
import { href } from '../router.js';
import { Admin } from './Admin.js';
import { Messenger } from './Messenger.js';
import { NotificationsPage } from './NotificationsPage.js';
import { PartnerInbox } from './PartnerInbox.js';

export function SignedIn({ userId, screen, param }: { userId: string; screen?: string; param?: string }) {
  const { t } = useI18n();
  const [session, setSession] = useState<DemoSession | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    demoSession(userId).then(
      (s) => active && setSession(s),
      (e: unknown) => active && setError(e),
    );
    return () => {
      active = false;
    };
  }, [userId, attempt]);

  if (!session)
    return (
      <>
        <TabTitle />
        <Header />
        <main className="page">
          {error ? (
            <ErrorNote
              error={error}
              onRetry={() => {
                setError(null);
                setAttempt(attempt + 1);
              }}
            />
          ) : (
            <p>{t.loading}</p>
          )}
        </main>
      </>
    );

  const { user } = session;
  const isPartner = user.role === 'partner';
  const isAdmin = user.role === 'admin';
  const current = screen ?? (isPartner ? 'inbox' : 'messages');
  const nav: NavItem[] = [
    ...(isPartner ? [{ href: href(user.id, 'inbox'), label: t.navInbox, current: current === 'inbox' }] : []),
    { href: href(user.id, 'messages'), label: t.navMessages, current: current === 'messages' },
    { href: href(user.id, 'notifications'), label: t.navNotifications, current: current === 'notifications' },
    ...(isAdmin ? [{ href: href(user.id, 'admin'), label: t.navAdmin, current: current === 'admin' }] : []),
  ];
  const getToken = () => demoSession(userId).then((s) => s.token);

  return (
    <MissiveProvider
      clientOptions={{ url: WS_URL, restUrl: API_BASE, getToken }}
      restOptions={{ baseUrl: API_BASE, getToken }}
      userId={user.id}
    >
      <NotificationsProvider>
        <UnreadTabTitle />
        <Header
          who={
            <>
              <span className="visually-hidden">{t.signedInAs} </span>
              {user.name} <small>· {t.roles[user.role]}</small>
            </>
          }
          nav={nav}
          tools={
            <>
              <ConnectionStatus />
              <Bell userId={user.id} />
            </>
          }
        />
        <Toasts />
        {current === 'inbox' && <PartnerInbox me={user.id} selected={param ?? null} />}
        {current === 'messages' && <Messenger me={user.id} selected={param ?? null} />}
        {current === 'notifications' && <NotificationsPage me={user} />}
        {current === 'admin' && isAdmin && <Admin me={user.id} />}
      </NotificationsProvider>
    </MissiveProvider>
  );
}
