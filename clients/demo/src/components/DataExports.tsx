// The people of the tenant, each with "Export data": the export is asked for, made in the
// background (pending), read again every 1.5 seconds until it is ready — then its download link
// (the JSON Lines file, signed, valid until it expires) is shown. Each state is announced politely.
// And "Erase" (not for the admin herself, nor for a bot): it cannot be undone, so a modal dialog
// asks first ("Cancel" focused, Escape cancels, focus back on "Erase"); once erased the person
// leaves the list, said politely, and focus goes to the section's title (their row is gone).

import type { DirectoryUser, Export, ExportView } from '@missive/client';
import type { MissiveAdmin } from '@missive/client/admin';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { formatWhen } from '../format.js';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';
import { ModalDialog } from './ModalDialog.js';

const POLL_MS = 1500;

/**
 * `me`: the admin, who cannot erase herself. `onAct`: an act the audit log records was done (an
 * export asked for, someone erased).
 */
export function DataExports({ rest, me, onAct }: { rest: MissiveAdmin; me: string; onAct: () => void }) {
  const { t } = useI18n();
  const [users, setUsers] = useState<DirectoryUser[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [erasing, setErasing] = useState<DirectoryUser | null>(null);
  const [erased, setErased] = useState<DirectoryUser | null>(null);
  const title = useRef<HTMLHeadingElement>(null);

  // Their row, and the "Erase" that opened the dialog, gone: focus is not left on the page itself.
  useEffect(() => {
    if (erased && (document.activeElement === null || document.activeElement === document.body)) title.current?.focus();
  }, [erased]);

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
      <h2 id="exports-title" ref={title} tabIndex={-1}>
        {t.exports}
      </h2>
      <p className="hint">{t.exportsIntro}</p>
      {error !== null && <ErrorNote error={error} onRetry={() => void load()} />}
      {users === null && error === null && <p className="empty">{t.loading}</p>}
      {users?.length === 0 && <p className="empty">{t.noPeople}</p>}
      {users && users.length > 0 && (
        <ul className="export-list" aria-label={t.exportsPeople}>
          {users.map((u) => (
            <UserExport
              key={u.id}
              rest={rest}
              user={u}
              onRequested={onAct}
              onErase={u.id !== me && u.role !== 'bot' ? () => setErasing(u) : undefined}
            />
          ))}
        </ul>
      )}
      <p className="hint erase-note" role="status">
        {erased && t.erased(erased.name)}
      </p>
      {erasing && (
        <EraseDialog
          rest={rest}
          user={erasing}
          onClose={() => setErasing(null)}
          onErased={() => {
            setUsers((held) => held?.filter((u) => u.id !== erasing.id) ?? null);
            setErasing(null);
            setErased(erasing);
            onAct();
          }}
        />
      )}
    </section>
  );
}

/** "Erase Bob Durand?": what it does, for good; "Cancel" (focused, first) or "Erase for good". */
function EraseDialog({
  rest,
  user,
  onClose,
  onErased,
}: {
  rest: MissiveAdmin;
  user: DirectoryUser;
  onClose: () => void;
  onErased: () => void;
}) {
  const { t } = useI18n();
  const titleId = useId();
  const warningId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const erase = async () => {
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      await rest.eraseUser(user.id);
      onErased();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <ModalDialog className="dialog" alert labelledBy={titleId} describedBy={warningId} onClose={onClose}>
      <div className="dialog-body">
        <h2 id={titleId}>{t.eraseTitle(user.name)}</h2>
        <p id={warningId}>{t.eraseWarning}</p>
        <p className="hint">{t.eraseExportFirst}</p>
        {error !== null && <ErrorNote error={error} />}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="button" className="danger" aria-disabled={busy} onClick={() => void erase()}>
            {busy ? t.erasing : t.eraseConfirm}
          </button>
        </div>
      </div>
    </ModalDialog>
  );
}

function UserExport({
  rest,
  user,
  onRequested,
  onErase,
}: {
  rest: MissiveAdmin;
  user: DirectoryUser;
  onRequested: () => void;
  /** Opens the erasure's dialog; absent: not offered (the admin herself, a bot). */
  onErase: (() => void) | undefined;
}) {
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
      {/* Their names, which say whose data, start with the words they show. */}
      <span className="export-actions">
        <button
          type="button"
          className="small"
          aria-label={t.exportDataOf(user.name)}
          aria-disabled={busy}
          onClick={() => void ask()}
        >
          {t.exportData}
        </button>
        {onErase && (
          <button type="button" className="small danger" aria-label={t.eraseOf(user.name)} onClick={onErase}>
            {t.erase}
          </button>
        )}
      </span>
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
