// The tenant's audit log: who (the platform, or an admin by name) did which administrative act,
// when, to what — newest first, a page at a time ("Older entries" follows `nextCursor`), read
// again from the top on "Refresh" and whenever the screen did an act of its own (`version`).

import type { AuditEntry } from '@missive/client';
import type { MissiveAdmin } from '@missive/client/admin';
import { useCallback, useEffect, useState } from 'react';
import { formatWhen } from '../format.js';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';

const PAGE = 20;

export function AuditLog({ rest, version }: { rest: MissiveAdmin; version: number }) {
  const { t, lang } = useI18n();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(
    () =>
      rest.auditLog({ limit: PAGE }).then(
        (page) => {
          setEntries(page.entries);
          setNext(page.nextCursor);
          setError(null);
        },
        (e: unknown) => setError(e),
      ),
    [rest],
  );
  useEffect(() => {
    void reload();
  }, [reload, version]);

  const more = async () => {
    if (next === null || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await rest.auditLog({ cursor: next, limit: PAGE });
      // A refresh may have come in between: an entry is shown once.
      setEntries((held) => {
        const seen = new Set(held?.map((e) => e.id));
        return [...(held ?? []), ...page.entries.filter((e) => !seen.has(e.id))];
      });
      setNext(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section className="card admin" aria-labelledby="audit-title">
      <div className="card-head">
        <h2 id="audit-title">{t.auditLog}</h2>
        <button type="button" className="small" onClick={() => void reload()}>
          {t.auditRefresh}
        </button>
      </div>
      <p className="hint">{t.auditIntro}</p>
      {error !== null && <ErrorNote error={error} onRetry={() => void reload()} />}
      {entries === null && error === null && <p className="empty">{t.loading}</p>}
      {entries?.length === 0 && <p className="empty">{t.noAuditEntries}</p>}
      {entries && entries.length > 0 && (
        <table className="audit" aria-label={t.auditLog}>
          <thead>
            <tr>
              <th scope="col">{t.time}</th>
              <th scope="col">{t.auditWho}</th>
              <th scope="col">{t.auditAction}</th>
              <th scope="col">{t.auditTarget}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>
                  <time dateTime={e.at}>{formatWhen(e.at, lang)}</time>
                </td>
                <td data-col="who">{e.actor.kind === 'platform' ? t.platform : e.actor.name}</td>
                <td data-col="action">
                  {t.auditActions[e.action] ?? e.action} <code>{e.action}</code>
                </td>
                <td data-col="target">{e.target ? <code>{e.target}</code> : t.auditTenant}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries && entries.length > 0 && (
        <p className="hint" aria-live="polite">
          {t.auditShown(entries.length)}
        </p>
      )}
      {next !== null && (
        <button type="button" aria-disabled={loadingMore} onClick={() => void more()}>
          {t.auditMore}
        </button>
      )}
    </section>
  );
}
