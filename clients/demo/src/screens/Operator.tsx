// The platform operator's page: the job queues (waiting, in flight, delayed, dead letters and
// ages; redrive per queue), the local outbox's e-mails, and a switch that makes e-mail sends
// fail so that retries, dead letters and redrive can be watched.

import type { OutboxEmail, QueueName, QueueStats } from '@missive/client';
import { useCallback, useMemo, useRef, useState } from 'react';
import { localOutboxFailures, operatorRest } from '../api.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { formatClock, formatWhen } from '../format.js';
import { useInterval } from '../hooks.js';
import { useI18n } from '../i18n.js';

const REFRESH_MS = 1000;

export function Operator() {
  const { t, lang } = useI18n();
  const rest = useMemo(operatorRest, []);
  const [queues, setQueues] = useState<QueueStats[] | null>(null);
  const [outbox, setOutbox] = useState<OutboxEmail[] | null>(null);
  const [failing, setFailing] = useState<boolean | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // The switch shows the operator's choice at once; a poll that started before the choice was
  // sent does not put the old state back.
  const switched = useRef(0);

  const refresh = useCallback(() => {
    const asOf = switched.current;
    Promise.all([rest.getQueues(), rest.localOutbox(), localOutboxFailures()]).then(
      ([q, o, f]) => {
        setQueues(q);
        setOutbox([...o].sort((a, b) => b.sentAt.localeCompare(a.sentAt)));
        if (switched.current === asOf) setFailing(f.always || f.next > 0);
        setUpdated(new Date());
        setError(null);
      },
      (e: unknown) => setError(e),
    );
  }, [rest]);
  useInterval(refresh, REFRESH_MS);

  const redrive = async (name: QueueStats['name']) => {
    try {
      // The document gives a queue's name as a string; the server lists only its own queues.
      const moved = await rest.redriveQueue(name as QueueName);
      setNotice(t.redriven(moved, t.queueNames[name] ?? name));
      refresh();
    } catch (e) {
      setError(e);
    }
  };

  const setFailures = async (always: boolean) => {
    switched.current += 1;
    setFailing(always);
    try {
      await rest.setLocalOutboxFailures({ always, next: 0 });
      switched.current += 1;
      refresh();
    } catch (e) {
      setError(e);
    }
  };

  const age = (s: number | null | undefined) => (s == null ? '—' : t.seconds(s));

  return (
    <main className="page operator">
      <h1>{t.operatorTitle}</h1>
      <p className="lead">{t.operatorIntro}</p>
      {error !== null && <ErrorNote error={error} onRetry={refresh} />}
      <section className="card" aria-labelledby="queues-title">
        <header className="card-head">
          <h2 id="queues-title">{t.queues}</h2>
          {updated && <span className="hint">{t.updatedAt(formatClock(updated, lang))}</span>}
        </header>
        <table className="queues">
          <thead>
            <tr>
              <th scope="col">{t.queue}</th>
              <th scope="col">{t.visible}</th>
              <th scope="col">{t.inFlight}</th>
              <th scope="col">{t.delayed}</th>
              <th scope="col">{t.deadLettered}</th>
              <th scope="col">{t.oldestAge}</th>
              <th scope="col">{t.oldestDeadLetterAge}</th>
              <th scope="col">
                <span className="visually-hidden">{t.redrive}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(queues ?? []).map((q) => {
              const name = t.queueNames[q.name] ?? q.name;
              return (
                <tr key={q.name} data-queue={q.name}>
                  <th scope="row">{name}</th>
                  <td data-col="visible">{q.visible}</td>
                  <td data-col="inFlight">{q.inFlight}</td>
                  <td data-col="delayed">{q.delayed}</td>
                  <td data-col="deadLettered" className={q.deadLettered > 0 ? 'alarm' : undefined}>
                    {q.deadLettered}
                  </td>
                  <td data-col="oldestAge">{age(q.oldestAgeSeconds)}</td>
                  <td data-col="oldestDeadLetterAge">{age(q.oldestDeadLetterAgeSeconds)}</td>
                  <td>
                    <button
                      type="button"
                      className="small"
                      aria-label={t.redriveQueue(name)}
                      disabled={q.deadLettered === 0}
                      onClick={() => void redrive(q.name)}
                    >
                      {t.redrive}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {notice && (
          <p className="ok" role="status">
            {notice}
          </p>
        )}
        <label className="check failure-switch">
          <input
            type="checkbox"
            checked={failing ?? false}
            disabled={failing === null}
            onChange={(e) => void setFailures(e.target.checked)}
          />
          {t.failEmails}
        </label>
        <p className="hint">{t.failEmailsHint}</p>
      </section>
      <section className="card" aria-labelledby="outbox-title">
        <h2 id="outbox-title">{t.outbox}</h2>
        {outbox !== null && outbox.length === 0 && <p className="empty">{t.outboxEmpty}</p>}
        {outbox !== null && outbox.length > 0 && (
          <table className="outbox" aria-labelledby="outbox-title">
            <thead>
              <tr>
                <th scope="col">{t.to}</th>
                <th scope="col">{t.subject}</th>
                <th scope="col">{t.attempts}</th>
                <th scope="col">{t.sentAt}</th>
              </tr>
            </thead>
            <tbody>
              {outbox.map((m) => (
                <tr key={m.id}>
                  <td>{m.to}</td>
                  <td>{m.subject}</td>
                  <td>{m.attempts}</td>
                  <td>
                    <time dateTime={m.sentAt}>{formatWhen(m.sentAt, lang)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
