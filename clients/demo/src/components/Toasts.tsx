// A toast for each notification that arrives, with its action; it goes away after a while or
// when closed. Its time stops while the pointer is on it or focus is in it — a person reading
// it, or reaching its link with the keyboard, does not see it vanish (WCAG 2.2.1) — and runs
// on from where it stopped, a few seconds at least, once they leave.

import type { Notification } from '@missive/client';
import { useMissiveEvent } from '@missive/react';
import { useCallback, useEffect, useRef, useState, type FocusEvent } from 'react';
import { notificationText } from '../format.js';
import { useI18n } from '../i18n.js';
import { ActionLink } from './ActionLink.js';
import { useSharedNotifications } from './NotificationsContext.js';

/** How long a toast shows, not counting the time it is hovered or focused. */
const TOAST_MS = 12_000;
/** What it has left at least after being hovered or focused. */
const RESUME_MS = 3_000;
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
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const left = useRef(TOAST_MS);
  const held = hovered || focused;
  useEffect(() => {
    if (held) return;
    const started = Date.now();
    const timer = setTimeout(() => dismiss(n.id), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(RESUME_MS, left.current - (Date.now() - started));
    };
  }, [held, n.id, dismiss]);
  // Focus moving from the link to the close button stays in the toast.
  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget)) setFocused(false);
  };
  return (
    // Its type prefixed: a plain `message` class would take the message bubbles' layout.
    <div
      className={`toast toast-${n.type}`}
      role="status"
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={onBlur}
    >
      <div>
        <strong>{n.title}</strong>
        {n.body && <p>{notificationText(n.body)}</p>}
        {n.actionUrl && <ActionLink url={n.actionUrl} label={n.actionLabel ?? n.actionUrl} onClick={onAction} />}
      </div>
      <button type="button" className="icon" aria-label={t.close} onClick={() => dismiss(n.id)}>
        ×
      </button>
    </div>
  );
}
