// Reminders: schedule one for oneself or for a conversation (its members when it fires), see
// them pending or fired, cancel a pending one.

import type { ConversationListItem, Reminder } from '@missive/client';
import { useMissive, useMissiveEvent } from '@missive/react';
import { useCallback, useEffect, useState } from 'react';
import { conversationName, formatWhen } from '../format.js';
import { useI18n } from '../i18n.js';
import { FormFooter } from './FormFooter.js';

/** `date` as a datetime-local input wants it (local time, to the minute). */
function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function Reminders({ me }: { me: string }) {
  const { t, lang } = useI18n();
  const { rest } = useMissive();
  const [reminders, setReminders] = useState<Reminder[] | null>(null);
  const [conversations, setConversations] = useState<ConversationListItem[]>([]);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [at, setAt] = useState(() => localInputValue(new Date(Date.now() + 5 * 60_000)));
  const [target, setTarget] = useState('me');
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [created, setCreated] = useState(false);

  const reload = useCallback(() => {
    rest.listReminders().then(
      (page) => setReminders(page.reminders),
      (e: unknown) => setError(e),
    );
  }, [rest]);

  useEffect(() => {
    reload();
    rest.listConversations({ limit: 100 }).then(
      (page) => setConversations(page.conversations),
      () => {},
    );
  }, [rest, reload]);

  // A reminder that fires arrives as a notification: its status changes.
  useMissiveEvent('notification.new', ({ notification }) => {
    if (notification.type === 'reminder') reload();
  });

  // The list is read again when the next pending reminder is due, and a second later while
  // one past its time still shows pending (the server marks it fired just after sending it).
  useEffect(() => {
    const due = (reminders ?? []).filter((r) => r.status === 'pending').map((r) => Date.parse(r.at));
    if (due.length === 0) return;
    const wait = Math.max(1_000, Math.min(...due) - Date.now() + 500);
    if (wait > 15 * 60_000) return;
    const timer = setTimeout(reload, wait);
    return () => clearTimeout(timer);
  }, [reminders, reload]);

  const create = async () => {
    setProblem(null);
    setError(null);
    setCreated(false);
    const when = new Date(at);
    if (Number.isNaN(when.getTime()) || when.getTime() <= Date.now()) return setProblem(t.reminderMustBeFuture);
    try {
      await rest.createReminder({
        at: when.toISOString(),
        title: title.trim(),
        ...(body.trim() ? { body: body.trim() } : {}),
        ...(target === 'me' ? { users: [me] } : { conversationId: target }),
      });
      setTitle('');
      setBody('');
      setCreated(true);
      reload();
    } catch (e) {
      setError(e);
    }
  };

  const cancel = async (id: string) => {
    try {
      await rest.deleteReminder(id);
      reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="reminders-title">
      <h2 id="reminders-title">{t.reminders}</h2>
      <form
        className="reminder-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <fieldset>
          <legend>{t.newReminder}</legend>
          <label className="field">
            {t.reminderTitle}
            <input value={title} required maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <label className="field">
            {t.reminderBody}
            <input value={body} maxLength={2000} onChange={(e) => setBody(e.target.value)} />
          </label>
          <div className="row">
            <label className="field">
              {t.reminderAt}
              <input type="datetime-local" value={at} required onChange={(e) => setAt(e.target.value)} />
            </label>
            <label className="field">
              {t.reminderFor}
              <select value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="me">{t.reminderForMe}</option>
                {conversations.map((c) => (
                  <option key={c.id} value={c.id}>
                    {t.reminderForConversation(conversationName(c, me, t.deletedUser))}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <FormFooter
            problem={problem}
            error={error}
            submit={t.createReminder}
            done={created ? t.reminderCreated : null}
          />
        </fieldset>
      </form>
      {reminders !== null && reminders.length === 0 && <p className="empty">{t.noReminders}</p>}
      {reminders !== null && reminders.length > 0 && (
        <ul className="reminder-list" aria-label={t.reminders}>
          {reminders.map((r) => (
            <li key={r.id} className={r.status}>
              <div>
                <strong>{r.title}</strong>
                {r.body && <span className="hint"> — {r.body}</span>}
              </div>
              <div className="reminder-meta">
                <time dateTime={r.at}>{formatWhen(r.at, lang)}</time>
                <span className={`status-chip ${r.status}`}>
                  {r.status === 'pending' ? t.reminderPending : t.reminderFired(r.firedAt ? formatWhen(r.firedAt, lang) : '')}
                </span>
                {r.status === 'pending' && r.createdBy === me && (
                  <button type="button" className="link small danger" onClick={() => void cancel(r.id)}>
                    {t.delete}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
