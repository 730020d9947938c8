// The browser tab's title: the demo's name, and on a signed-in person's screens the number of
// unread messages in front of it — "(3) Missive — démo" — so that a tab left in the background
// says there is something to read, and goes plain once it is read.
//
// Messages only, not notifications: the bell counts those, and most of them are about a message
// already counted (a mention comes with the message that mentions; a message notification goes
// to members who are not connected) — the sum would count one message twice. Muted
// conversations are left out by the server's totals.

import { useUnreadTotal } from '@missive/react';
import { useEffect } from 'react';
import { useI18n } from '../i18n.js';

export function TabTitle({ unread = 0 }: { unread?: number }) {
  const { t } = useI18n();
  const title = unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${t.appTitle}` : t.appTitle;
  useEffect(() => {
    document.title = title;
  }, [title]);
  return null;
}

/** The title with the signed-in person's unread messages (inside their MissiveProvider). */
export function UnreadTabTitle() {
  const { messages } = useUnreadTotal();
  return <TabTitle unread={messages} />;
}
