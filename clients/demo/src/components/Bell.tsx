// The bell: the unread counter on a button that opens the latest notifications, each one
// markable as read, or all at once. The panel is a modal dialog under the button: focus goes
// into it, stays in it, and comes back to the bell when it closes (Escape, a click beside it,
// or a link followed).

import { useRef, useState } from 'react';
import { usePlaceUnder } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { href } from '../router.js';
import { ModalDialog } from './ModalDialog.js';
import { NotificationItem } from './NotificationItem.js';
import { useSharedNotifications } from './NotificationsContext.js';

/** The space between the bell and its panel, in pixels. */
const GAP = 8;

export function Bell({ userId }: { userId: string }) {
  const { t } = useI18n();
  const { notifications, unreadCount, markRead, markAllRead, hasMore, loadMore, loadingMore } =
    useSharedNotifications();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const place = usePlaceUnder(open, button, GAP);

  return (
    <div className="bell">
      <button
        ref={button}
        type="button"
        className="bell-button"
        aria-label={t.bellLabel(unreadCount)}
        aria-expanded={open}
        aria-controls="bell-panel"
        onClick={() => setOpen(!open)}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinejoin="round" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" />
        </svg>
        {unreadCount > 0 && (
          <span className="badge" aria-hidden="true">
            {unreadCount > 99 ? '99+' : unreadCount}
          </span>
        )}
      </button>
      {open && (
        <ModalDialog id="bell-panel" className="bell-panel" style={place} label={t.bell} onClose={() => setOpen(false)}>
          {/* A link followed from the panel (a notification's, or "all notifications") closes it. */}
          <div className="bell-panel-body" onClick={(e) => (e.target as Element).closest('a') && setOpen(false)}>
            <header>
              <h2>{t.bell}</h2>
              <button type="button" className="link" disabled={unreadCount === 0} onClick={() => void markAllRead().catch(() => {})}>
                {t.markAllRead}
              </button>
            </header>
            {notifications.length === 0 ? (
              <p className="empty">{t.noNotifications}</p>
            ) : (
              <ul className="notification-list">
                {notifications.map((n) => (
                  <NotificationItem key={n.id} notification={n} onRead={() => void markRead(n.id).catch(() => {})} />
                ))}
              </ul>
            )}
            <footer>
              {hasMore && (
                <button type="button" className="link" disabled={loadingMore} onClick={() => void loadMore()}>
                  {t.olderNotifications}
                </button>
              )}
              <a href={href(userId, 'notifications')}>{t.allNotifications}</a>
            </footer>
          </div>
        </ModalDialog>
      )}
    </div>
  );
}
