// The status page: /v1/health made readable, checked again every few seconds.

import type { Health } from '@missive/client';
import { useCallback, useState } from 'react';
import { publicRest } from '../api.js';
import { formatClock } from '../format.js';
import { useInterval } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { errorText } from '../format.js';

const REFRESH_S = 5;

export function Status() {
  const { t, lang } = useI18n();
  const [health, setHealth] = useState<Health | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [checked, setChecked] = useState<Date | null>(null);

  const check = useCallback(() => {
    publicRest.health().then(
      (h) => {
        setHealth(h);
        setFailure(null);
        setChecked(new Date());
      },
      (e: unknown) => {
        setHealth(null);
        setFailure(errorText(e));
        setChecked(new Date());
      },
    );
  }, []);
  useInterval(check, REFRESH_S * 1000);

  const state = failure ? 'down' : health?.status === 'ok' ? 'ok' : health ? 'degraded' : 'unknown';
  const label =
    state === 'ok' ? t.statusOk : state === 'degraded' ? t.statusDegraded : state === 'down' ? t.statusDown : t.loading;

  return (
    <main className="page status-page">
      <h1>{t.statusTitle}</h1>
      <section className={`status-card state-${state}`} aria-labelledby="status-now">
        <p id="status-now" className="status-big" role="status">
          <span className="status-light" aria-hidden="true" />
          {label}
        </p>
        <dl>
          <dt>{t.version}</dt>
          <dd>{health?.version ?? '—'}</dd>
          <dt>{t.storage}</dt>
          <dd>{health ? (health.checks.storage === 'ok' ? t.storageOk : t.storageDown) : '—'}</dd>
          <dt>{t.lastCheck}</dt>
          <dd>{checked ? formatClock(checked, lang) : '—'}</dd>
        </dl>
        {failure && <p className="error-note">{failure}</p>}
        <p className="hint">
          {t.autoRefresh(REFRESH_S)}{' '}
          <button type="button" className="link" onClick={check}>
            {t.checkNow}
          </button>
        </p>
      </section>
    </main>
  );
}
