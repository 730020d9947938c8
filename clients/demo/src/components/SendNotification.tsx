// An admin's form: a notification to people of the tenant, in their bell (a toast if they are
// online), by e-mail and pushed to their devices as their preferences say; or a critical alert
// (a call-out) that goes through their quiet hours and digests.

import type { DirectoryUser, NotificationType } from '@missive/client';
import { useMissive } from '@missive/react';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.js';
import { FormFooter } from './FormFooter.js';

const TYPES: NotificationType[] = ['event', 'system', 'mention'];

export function SendNotification({ me }: { me: string }) {
  const { t } = useI18n();
  const { rest } = useMissive();
  const [users, setUsers] = useState<DirectoryUser[]>([]);
  const [picked, setPicked] = useState<string[]>([]);
  const [type, setType] = useState<NotificationType>('event');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [actionLabel, setActionLabel] = useState('');
  const [actionUrl, setActionUrl] = useState('');
  const [critical, setCritical] = useState(false);
  const [sent, setSent] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    rest.listUsers({ limit: 100 }).then(
      (page) => setUsers(page.users.filter((u) => u.role !== 'guest')),
      (e: unknown) => setError(e),
    );
  }, [rest]);

  const send = async () => {
    setSent(null);
    setError(null);
    if (picked.length === 0) return setProblem(t.pickRecipients);
    setProblem(null);
    setBusy(true);
    try {
      const created = await rest.createNotifications({
        users: picked,
        type,
        title: title.trim(),
        ...(body.trim() ? { body: body.trim() } : {}),
        ...(actionUrl.trim() ? { actionUrl: actionUrl.trim() } : {}),
        ...(actionLabel.trim() ? { actionLabel: actionLabel.trim() } : {}),
        ...(critical ? { priority: 'critical' as const } : {}),
      });
      setSent(created.length);
      setTitle('');
      setBody('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card admin" aria-labelledby="send-title">
      <h2 id="send-title">{t.sendNotification}</h2>
      <p className="hint">{t.sendNotificationIntro}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <fieldset className="recipients">
          <legend>{t.recipients}</legend>
          {users.map((u) => (
            <label key={u.id} className="check">
              <input
                type="checkbox"
                checked={picked.includes(u.id)}
                onChange={(e) =>
                  setPicked(e.target.checked ? [...picked, u.id] : picked.filter((id) => id !== u.id))
                }
              />
              {u.name}
              {u.id === me && <small> ({t.you})</small>}
            </label>
          ))}
        </fieldset>
        <div className="row">
          <label className="field">
            {t.notificationType}
            <select value={type} onChange={(e) => setType(e.target.value as NotificationType)}>
              {TYPES.map((ty) => (
                <option key={ty} value={ty}>
                  {t.types[ty]}
                </option>
              ))}
            </select>
          </label>
          <label className="field grow">
            {t.notificationTitle}
            <input value={title} required maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          </label>
        </div>
        <label className="field">
          {t.notificationBody}
          <textarea value={body} rows={2} maxLength={2000} onChange={(e) => setBody(e.target.value)} />
        </label>
        <div className="row">
          <label className="field">
            {t.actionLabel}
            <input value={actionLabel} maxLength={100} onChange={(e) => setActionLabel(e.target.value)} />
          </label>
          <label className="field grow">
            {t.actionUrl}
            <input
              value={actionUrl}
              placeholder="/demo/#/alice/messages"
              onChange={(e) => setActionUrl(e.target.value)}
            />
          </label>
        </div>
        <label className="check critical">
          <input type="checkbox" checked={critical} onChange={(e) => setCritical(e.target.checked)} />
          {t.critical}
        </label>
        <FormFooter
          problem={problem}
          error={error}
          submit={t.sendIt}
          busy={busy}
          done={sent !== null ? t.sentTo(sent) : null}
        />
      </form>
    </section>
  );
}
