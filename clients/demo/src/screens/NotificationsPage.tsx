// A person's notifications page: every notification, their preferences, their reminders, and
// for an admin the form that sends a notification to people of the tenant.

import type { DemoUser } from '../api.js';
import { NotificationItem } from '../components/NotificationItem.js';
import { useSharedNotifications } from '../components/NotificationsContext.js';
import { Preferences } from '../components/Preferences.js';
import { Reminders } from '../components/Reminders.js';
import { SendNotification } from '../components/SendNotification.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useI18n } from '../i18n.js';

export function NotificationsPage({ me }: { me: DemoUser }) {
  const { t } = useI18n();
  const { notifications, unreadCount, status, error, markRead, markAllRead, hasMore, loadMore, loadingMore, refresh } =
    useSharedNotifications();
  return (
    <main className="page notifications-page">
      <div className="columns">
        <div>
          {me.role === 'admin' && <SendNotification me={me.id} />}
          <section className="card" aria-labelledby="all-notifications">
            <header className="card-head">
              <h1 id="all-notifications">{t.notificationsTitle}</h1>
              <button
                type="button"
                className="link"
                disabled={unreadCount === 0}
                onClick={() => void markAllRead().catch(() => {})}
              >
                {t.markAllRead}
              </button>
            </header>
            {status === 'error' && <ErrorNote error={error} onRetry={() => void refresh()} />}
            {status === 'loading' && <p className="empty">{t.loading}</p>}
            {status === 'ready' && notifications.length === 0 && <p className="empty">{t.noNotifications}</p>}
            <ul className="notification-list">
              {notifications.map((n) => (
                <NotificationItem key={n.id} notification={n} onRead={() => void markRead(n.id).catch(() => {})} />
              ))}
            </ul>
            {hasMore && (
              <button type="button" className="link" disabled={loadingMore} onClick={() => void loadMore()}>
                {t.olderNotifications}
              </button>
            )}
          </section>
        </div>
        <div>
          <Preferences />
          <Reminders me={me.id} />
        </div>
      </div>
    </main>
  );
}
