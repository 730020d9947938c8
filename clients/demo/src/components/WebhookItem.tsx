// One webhook endpoint: its address, description, the events it hears of, whether it is
// enabled (or why not), and its actions. Deleting asks a second click: it cannot be undone.

import type { Webhook } from '@missive/client';
import { useState } from 'react';
import { useI18n } from '../i18n.js';

export function WebhookItem({
  webhook: w,
  selected,
  onSelect,
  onToggle,
  onRotate,
  onTest,
  onDelete,
}: {
  webhook: Webhook;
  selected: boolean;
  onSelect: () => void;
  onToggle: () => Promise<void>;
  onRotate: () => Promise<void>;
  onTest: () => Promise<void>;
  onDelete: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    void action().finally(() => setBusy(false));
  };
  const reason = w.disabled ? (t.disabledReasons[w.disabled.reason] ?? w.disabled.reason) : null;
  return (
    <li className={`webhook${selected ? ' selected' : ''}`} data-webhook={w.id}>
      <div className="webhook-head">
        <code className="webhook-url">{w.url}</code>
        <span className={`status-chip ${w.enabled ? 'fired' : 'pending'}`}>
          {reason === null ? t.webhookOn : t.webhookOff(reason)}
        </span>
      </div>
      {w.description && <p className="webhook-description">{w.description}</p>}
      <p className="webhook-events">
        {w.events.length === 0 ? (
          <span className="hint">{t.allEvents}</span>
        ) : (
          w.events.map((e) => (
            <code key={e} className="event-chip" title={t.eventNames[e]}>
              {e}
            </code>
          ))
        )}
      </p>
      <div className="webhook-actions" role="group" aria-label={t.webhookActions(w.url)}>
        <button type="button" className="small" aria-pressed={selected} onClick={onSelect}>
          {t.showDeliveries}
        </button>
        <button type="button" className="small" disabled={busy} onClick={() => run(onTest)}>
          {t.sendTest}
        </button>
        <button type="button" className="small" disabled={busy} onClick={() => run(onToggle)}>
          {w.enabled ? t.disable : t.enable}
        </button>
        <button type="button" className="small" disabled={busy} onClick={() => run(onRotate)}>
          {t.rotateSecret}
        </button>
        {confirming ? (
          <>
            <button type="button" className="small danger" disabled={busy} onClick={() => run(onDelete)}>
              {t.confirmDelete}
            </button>
            <button type="button" className="link small" onClick={() => setConfirming(false)}>
              {t.cancel}
            </button>
          </>
        ) : (
          <button type="button" className="small danger" onClick={() => setConfirming(true)}>
            {t.delete}
          </button>
        )}
      </div>
    </li>
  );
}
