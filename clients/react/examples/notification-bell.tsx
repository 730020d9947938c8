// A notification bell: the counter, the latest notifications, read on click or all at once.
import { useMissiveEvent, useNotifications } from '@missive/react';
import { useState } from 'react';

export function NotificationBell({ toast }: { toast: (text: string) => void }) {
  const { notifications, unreadCount, markRead, markAllRead, loadMore, hasMore } = useNotifications({ limit: 10 });
  const [open, setOpen] = useState(false);
  // Something else to do on each new one: the same events the hooks hear.
  useMissiveEvent('notification.new', ({ notification }) => toast(notification.title));

  return (
    <div className="bell">
      <button onClick={() => setOpen(!open)}>
        🔔 {unreadCount > 0 && <span className="badge">{unreadCount > 99 ? '99+' : unreadCount}</span>}
      </button>
      {open && (
        <div className="dropdown">
          <button disabled={unreadCount === 0} onClick={() => void markAllRead()}>
            Mark all read
          </button>
          {notifications.map((n) => (
            <a
              key={n.id}
              href={n.actionUrl ?? '#'}
              className={n.readAt ? 'read' : 'unread'}
              onClick={() => void markRead(n.id)}
            >
              <b>{n.title}</b> {n.body}
            </a>
          ))}
          {hasMore && <button onClick={() => void loadMore()}>Older</button>}
        </div>
      )}
    </div>
  );
}
