// One notification: its title, text, time, link, and a button to mark it read.

import type { Notification } from '@missive/client';
import { useMissive } from '@missive/react';
import { formatWhen, notificationText } from '../format.js';
import { useI18n } from '../i18n.js';
import { href } from '../router.js';
import { ActionLink } from './ActionLink.js';

export function NotificationItem({ notification: n, onRead }: { notification: Notification; onRead: () => void }) {
  const { t, lang } = useI18n();
  const { userId } = useMissive();
  const unread = n.readAt == null;
  return (
    <li className={`notification ${unread ? 'unread' : 'read'}`}>
      <div className="notification-head">
        <span className={`type-chip ${n.type}`}>{t.types[n.type]}</span>
        {n.priority === 'critical' && <span className="type-chip critical">{t.criticalSent}</span>}
        <strong>{n.title}</strong>
        {unread && <span className="visually-hidden"> ({t.unreadTag})</span>}
        <time dateTime={n.createdAt}>{formatWhen(n.createdAt, lang)}</time>
      </div>
      {n.body && <p>{notificationText(n.body)}</p>}
      <div className="notification-actions">
        {n.actionUrl && <ActionLink url={n.actionUrl} label={n.actionLabel ?? n.actionUrl} onClick={onRead} />}
        {!n.actionUrl && n.conversationId && userId && (
          <a className="action-link" href={href(userId, 'messages', n.conversationId)} onClick={onRead}>
            {t.openConversation}
          </a>
        )}
        {unread && (
          <button type="button" className="link" onClick={onRead}>
            {t.markRead}
          </button>
        )}
      </div>
    </li>
  );
}
