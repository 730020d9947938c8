// The form that makes a webhook endpoint: its address, a description, and the events it hears
// of (none ticked: every event, future ones included). Its secret is shown by the caller.

import type { CreatedWebhook, WebhookEventType } from '@missive/client';
import type { MissiveAdmin } from '@missive/client/admin';
import { useState } from 'react';
import { useI18n } from '../i18n.js';
import { FormFooter } from './FormFooter.js';

// The document's WebhookEventType, but `webhook.test`: a test is sent by its button, whatever
// the filter, and the server refuses it in one.
const EVENTS: readonly WebhookEventType[] = [
  'message.created',
  'message.updated',
  'message.deleted',
  'conversation.created',
  'conversation.updated',
  'member.added',
  'member.removed',
  'storefront.session.created',
  'notification.created',
  'email.failed',
  'user.erased',
];

export function WebhookForm({ rest, onCreated }: { rest: MissiveAdmin; onCreated: (created: CreatedWebhook) => void }) {
  const { t } = useI18n();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const create = async () => {
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      const created = await rest.createWebhook({
        url: url.trim(),
        events,
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setUrl('');
      setDescription('');
      setEvents([]);
      setDone(true);
      onCreated(created);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="webhook-form"
      aria-labelledby="new-webhook-title"
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
    >
      <h3 id="new-webhook-title">{t.newWebhook}</h3>
      <div className="row">
        <label className="field grow">
          {t.webhookUrl}
          <input
            type="url"
            value={url}
            required
            placeholder="https://crm.example.com/missive"
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <label className="field grow">
          {t.webhookDescription}
          <input value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
        </label>
      </div>
      <fieldset className="event-choices">
        <legend>{t.webhookEvents}</legend>
        <p className="hint">{t.webhookEventsHint}</p>
        {EVENTS.map((event) => (
          <label key={event} className="check">
            <input
              type="checkbox"
              checked={events.includes(event)}
              onChange={(e) => setEvents(e.target.checked ? [...events, event] : events.filter((x) => x !== event))}
            />
            <code>{event}</code>
            <small>{t.eventNames[event]}</small>
          </label>
        ))}
      </fieldset>
      <FormFooter error={error} submit={t.createWebhook} busy={busy} done={done ? t.webhookCreated : null} />
    </form>
  );
}
