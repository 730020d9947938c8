// The tenant's webhooks: its endpoints and what can be done to each (enable, disable, rotate
// the secret, send a test, delete), the form that makes one, the secret shown once after either,
// and the delivery log of the endpoint picked.

import type { MissiveAdmin } from '@missive/client/admin';
import type { Webhook } from '@missive/client';
import { useCallback, useEffect, useState } from 'react';
import { formatWhen } from '../format.js';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';
import { SecretOnce } from './SecretOnce.js';
import { WebhookDeliveries } from './WebhookDeliveries.js';
import { WebhookForm } from './WebhookForm.js';
import { WebhookItem } from './WebhookItem.js';

export function Webhooks({ rest }: { rest: MissiveAdmin }) {
  const { t, lang } = useI18n();
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ secret: string; note?: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(
    () =>
      rest.listWebhooks().then(
        (list) => {
          setWebhooks(list);
          setError(null);
        },
        (e: unknown) => setError(e),
      ),
    [rest],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  // Every action on an endpoint: done, then the list read again (the server's word on its state).
  const act = async (work: () => Promise<void>) => {
    setNotice(null);
    try {
      await work();
      setError(null);
    } catch (e) {
      setError(e);
    }
    await reload();
  };

  const shown = webhooks?.find((w) => w.id === selected) ?? null;
  return (
    <>
      <section className="card admin" aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">{t.webhooks}</h2>
        <p className="hint">{t.webhooksIntro}</p>
        {error !== null && <ErrorNote error={error} onRetry={() => void reload()} />}
        {secret && (
          <SecretOnce title={t.secretOnce} secret={secret.secret} note={secret.note} onDone={() => setSecret(null)} />
        )}
        {notice && (
          <p className="ok" role="status">
            {notice}
          </p>
        )}
        {webhooks === null && error === null && <p className="empty">{t.loading}</p>}
        {webhooks?.length === 0 && <p className="empty">{t.noWebhooks}</p>}
        {webhooks && webhooks.length > 0 && (
          <ul className="webhook-list" aria-label={t.webhooks}>
            {webhooks.map((w) => (
              <WebhookItem
                key={w.id}
                webhook={w}
                selected={w.id === selected}
                onSelect={() => setSelected(w.id === selected ? null : w.id)}
                onToggle={() =>
                  act(async () => {
                    await rest.updateWebhook(w.id, { enabled: !w.enabled });
                  })
                }
                onRotate={() =>
                  act(async () => {
                    const rotated = await rest.rotateWebhookSecret(w.id);
                    const until = formatWhen(rotated.previousExpiresAt, lang);
                    setSecret({ secret: rotated.secret, note: t.secretPrevious(until) });
                  })
                }
                onTest={() =>
                  act(async () => {
                    await rest.testWebhook(w.id);
                    setSelected(w.id);
                    setNotice(t.testSent);
                  })
                }
                onDelete={() =>
                  act(async () => {
                    await rest.deleteWebhook(w.id);
                    if (selected === w.id) setSelected(null);
                  })
                }
              />
            ))}
          </ul>
        )}
        <WebhookForm
          rest={rest}
          onCreated={(created) => {
            setNotice(null);
            setSecret({ secret: created.secret });
            setSelected(created.webhook.id);
            void reload();
          }}
        />
      </section>
      {shown && <WebhookDeliveries key={shown.id} rest={rest} webhook={shown} />}
    </>
  );
}
