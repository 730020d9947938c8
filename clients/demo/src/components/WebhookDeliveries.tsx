// An endpoint's delivery log: the last 7 days' deliveries, newest first — the event, how it
// went, its attempts, the last answer's status and time — read again every 2 seconds so a test
// or a retry is seen to land; each delivery can be retried by hand.

import type { Webhook, WebhookDelivery } from '@missive/client';
import type { MissiveAdmin } from '@missive/client/admin';
import { useCallback, useState } from 'react';
import { formatWhen } from '../format.js';
import { useInterval } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';

const REFRESH_S = 2;

export function WebhookDeliveries({ rest, webhook }: { rest: MissiveAdmin; webhook: Webhook }) {
  const { t, lang } = useI18n();
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(() => {
    rest.listWebhookDeliveries(webhook.id, { limit: 20 }).then(
      (page) => {
        setDeliveries(page.deliveries);
        setError(null);
      },
      (e: unknown) => setError(e),
    );
  }, [rest, webhook.id]);
  useInterval(refresh, REFRESH_S * 1000);

  const retry = async (delivery: WebhookDelivery) => {
    try {
      const again = await rest.retryWebhookDelivery(webhook.id, delivery.id);
      // Shown pending at once; the next refresh tells how it went.
      setDeliveries((held) => held?.map((d) => (d.id === again.id ? again : d)) ?? held);
    } catch (e) {
      setError(e);
    }
  };

  const title = t.deliveries(webhook.url);
  return (
    <section className="card admin" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">{title}</h2>
      <p className="hint">{t.deliveriesHint(REFRESH_S)}</p>
      {error !== null && <ErrorNote error={error} onRetry={refresh} />}
      {deliveries === null && error === null && <p className="empty">{t.loading}</p>}
      {deliveries?.length === 0 && <p className="empty">{t.noDeliveries}</p>}
      {deliveries && deliveries.length > 0 && (
        <table className="deliveries" aria-label={title}>
          <thead>
            <tr>
              <th scope="col">{t.event}</th>
              <th scope="col">{t.deliveryStatus}</th>
              <th scope="col">{t.attempts}</th>
              <th scope="col">{t.lastAnswer}</th>
              <th scope="col">{t.duration}</th>
              <th scope="col">{t.time}</th>
              <th scope="col">
                <span className="visually-hidden">{t.retry}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => {
              const when = formatWhen(d.createdAt, lang);
              const last = d.lastAttempt;
              return (
                <tr key={d.id} data-delivery={d.id}>
                  <td>
                    <code>{d.type}</code>
                  </td>
                  <td data-col="status">
                    <span className={`status-chip delivery-${d.status}`}>{t.deliveryStatuses[d.status]}</span>
                    {d.status === 'retrying' && d.nextAttemptAt && (
                      <small className="hint"> {t.nextAttempt(formatWhen(d.nextAttemptAt, lang))}</small>
                    )}
                  </td>
                  <td data-col="attempts">{d.attempts}</td>
                  <td data-col="answer" title={last?.error ?? undefined}>
                    {last == null ? '—' : (last.statusCode ?? t.noAnswer)}
                  </td>
                  <td data-col="duration">{last == null ? '—' : t.milliseconds(last.durationMs)}</td>
                  <td>
                    <time dateTime={d.createdAt}>{when}</time>
                  </td>
                  <td>
                    {/* Its name, which says which delivery, starts with the word it shows. */}
                    <button
                      type="button"
                      className="small"
                      aria-label={t.retryDelivery(d.type, when)}
                      disabled={d.status === 'pending'}
                      onClick={() => void retry(d)}
                    >
                      {t.redeliver}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
