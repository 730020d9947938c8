// A toast for each notification that arrives, with its action; it goes away after a while or
// when closed.

import type { Notification } from '@missive/client';
import { useMissiveEvent } from '@missive/react';
import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n.js';
import { ActionLink } from './ActionLink.js';
import { useSharedNotifications } from './NotificationsContext.js';

const TOAST_MS = 12_000;
const MAX_TOASTS = 4;

export function Toasts() {
  const { t } = useI18n();
  const { markRead } = useSharedNotifications();
  const [toasts, setToasts] = useState<Notification[]>([]);
  const dismiss = useCallback((id: string) => setToasts((held) => held.filter((n) => n.id !== id)), []);

  useMissiveEvent('notification.new', ({ notification }) =>
    setToasts((held) =>
      held.some((n) => n.id === notification.id) ? held : [...held, notification].slice(-MAX_TOASTS),
    ),
  );

  return (
    <div className="toasts" role="region" aria-label={t.toastsLabel}>
      {toasts.map((n) => (
        <Toast
          key={n.id}
          notification={n}
          dismiss={dismiss}
          onAction={() => {
            void markRead(n.id).catch(() => {});
            dismiss(n.id);
          }}
        />
      ))}
    </div>
  );
}

function Toast({
  notification: n,
  dismiss,
  onAction,
}: {
  notification: Notification;
  dismiss: (id: string) => void;
  onAction: () => void;
}) {
  const { t } = useI18n();
  useEffect(() => {
    const timer = setTimeout(() => dismiss(n.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [n.id, dismiss]);
  return (
    <div className={`toast ${n.type}`} role="status">
      <div>
        <strong>{n.title}</strong>
        {n.body && <p>{n.body}</p>}
        {n.actionUrl && <ActionLink url={n.actionUrl} label={n.actionLabel ?? n.actionUrl} onClick={onAction} />}
      </div>
      <button type="button" className="icon" aria-label={t.close} onClick={() => dismiss(n.id)}>
        ×
      </button>
    </div>
  );
}
