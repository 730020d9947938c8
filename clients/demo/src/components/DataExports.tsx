// The people of the tenant, each with "Export data": the export is asked for, made in the
// background (pending), read again every 1.5 seconds until it is ready — then its download link
// (the JSON Lines file, signed, valid until it expires) is shown. Each state is announced politely.

import type { DirectoryUser, Export, ExportView } from '@missive/client';
import type { MissiveAdmin } from '@missive/client/admin';
import { useCallback, useEffect, useState } from 'react';
import { formatWhen } from '../format.js';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';

const POLL_MS = 1500;

export function DataExports({ rest, onRequested }: { rest: MissiveAdmin; onRequested: () => void }) {
  const { t } = useI18n();
  const [users, setUsers] = useState<DirectoryUser[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(
    () =>
      rest.listUsers({ limit: 100 }).then(
        (page) => {
          setUsers(page.users);
          setError(null);
        },
        (e: unknown) => setError(e),
      ),
    [rest],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="card admin" aria-labelledby="exports-title">
      <h2 id="exports-title">{t.exports}</h2>
      <p className="hint">{t.exportsIntro}</p>
      {error !== null && <ErrorNote error={error} onRetry={() => void load()} />}
      {users === null && error === null && <p className="empty">{t.loading}</p>}
      {users?.length === 0 && <p className="empty">{t.noPeople}</p>}
      {users && users.length > 0 && (
        <ul className="export-list" aria-label={t.exportsPeople}>
          {users.map((u) => (
            <UserExport key={u.id} rest={rest} user={u} onRequested={onRequested} />
          ))}
        </ul>
      )}
    </section>
  );
}

function UserExport({ rest, user, onRequested }: { rest: MissiveAdmin; user: DirectoryUser; onRequested: () => void }) {
  const { t, lang } = useI18n();
  const [current, setCurrent] = useState<Export | ExportView | null>(null);
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // While pending: asked again every POLL_MS (one request at a time), until ready, a failure,
  // or the row going away (its request aborted).
  const pendingId = current?.status === 'pending' ? current.id : null;
  useEffect(() => {
    if (pendingId === null) return;
    const stop = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      timer = setTimeout(() => {
        rest.getExport(pendingId, {}, { signal: stop.signal }).then(
          (view) => {
            setCurrent(view);
            if (view.status === 'pending') later();
          },
          (e: unknown) => {
            if (!stop.signal.aborted) setError(e);
          },
        );
      }, POLL_MS);
    };
    later();
    return () => {
      stop.abort();
      clearTimeout(timer);
    };
  }, [rest, pendingId]);

  const busy = asking || pendingId !== null;
  const ask = async () => {
    if (busy) return;
    setError(null);
    setAsking(true);
    try {
      setCurrent(await rest.requestExport(user.id));
      onRequested();
    } catch (e) {
      setError(e);
    } finally {
      setAsking(false);
    }
  };

  const url = current && 'url' in current ? current.url : null;
  const status = asking ? t.exportAsking : current ? t.exportStatuses[current.status] : null;
  return (
    <li className="export-row" data-user={user.id}>
      <span className="export-who">
        <span className="export-name">{user.name}</span> <small className="hint">{t.roles[user.role]}</small>
      </span>
      {/* Its name, which says whose data, starts with the words it shows. */}
      <button
        type="button"
        className="small"
        aria-label={t.exportDataOf(user.name)}
        aria-disabled={busy}
        onClick={() => void ask()}
      >
        {t.exportData}
      </button>
      <span className="export-state" aria-live="polite">
        {status && (
          <>
            <span className="visually-hidden">{t.exportOf(user.name)} </span>
            <span className={`status-chip export-${asking ? 'pending' : current?.status}`}>{status}</span>
          </>
        )}
        {!asking && current?.status === 'ready' && url && (
          <>
            {' '}
            <a
              href={url}
              download={`missive-export-${user.id}-${current.id}.jsonl`}
              aria-label={t.downloadOf(user.name)}
            >
              {t.download}
            </a>{' '}
            <small className="hint">
              {t.exportReady(current.lines ?? 0, t.fileSize(current.bytes ?? 0), formatWhen(current.expiresAt, lang))}
            </small>
          </>
        )}
      </span>
      {error !== null && <ErrorNote error={error} onRetry={() => void ask()} />}
    </li>
  );
}
