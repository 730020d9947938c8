// Starting a conversation: one person (a direct chat — the existing one if there is one), or
// a named group of several, picked from the tenant's directory. A modal dialog: focus inside
// while it is open, back on "New conversation" after.

import type { DirectoryUser } from '@missive/client';
import { useMissive } from '@missive/react';
import { useEffect, useId, useState } from 'react';
import { initials } from '../format.js';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';
import { ModalDialog } from './ModalDialog.js';

export function NewConversationDialog({
  me,
  onCreated,
  onClose,
}: {
  me: string;
  onCreated: (conversationId: string) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { rest } = useMissive();
  const titleId = useId();
  const [users, setUsers] = useState<DirectoryUser[] | null>(null);
  const [kind, setKind] = useState<'direct' | 'group'>('direct');
  const [title, setTitle] = useState('');
  const [filter, setFilter] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let active = true;
    rest.listUsers({ limit: 100 }).then(
      (page) => active && setUsers(page.users.filter((u) => u.id !== me && u.role !== 'guest')),
      (e: unknown) => active && setError(e),
    );
    return () => {
      active = false;
    };
  }, [rest, me]);

  const wanted = filter.trim().toLocaleLowerCase();
  const shown = (users ?? []).filter(
    (u) => !wanted || u.name.toLocaleLowerCase().includes(wanted) || u.id.includes(wanted),
  );

  const toggle = (id: string) => {
    setProblem(null);
    if (kind === 'direct') setPicked([id]);
    else setPicked(picked.includes(id) ? picked.filter((p) => p !== id) : [...picked, id]);
  };

  const create = async () => {
    if (kind === 'direct' && picked.length !== 1) return setProblem(t.pickExactlyOne);
    if (kind === 'group' && picked.length === 0) return setProblem(t.pickAtLeastOne);
    if (kind === 'group' && !title.trim()) return setProblem(t.groupNeedsTitle);
    setBusy(true);
    try {
      const { value } = await rest.createConversation(
        kind === 'direct'
          ? { kind: 'direct', userId: picked[0]! }
          : { kind: 'group', title: title.trim(), memberIds: picked },
      );
      onCreated(value.id);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <ModalDialog className="dialog" labelledBy={titleId} onClose={onClose}>
      <form
        className="dialog-body"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <h2 id={titleId}>{t.newConversationTitle}</h2>
        <fieldset className="segmented">
          <legend>{t.conversationKind}</legend>
          {(['direct', 'group'] as const).map((k) => (
            <label key={k}>
              <input
                type="radio"
                name="kind"
                value={k}
                checked={kind === k}
                onChange={() => {
                  setKind(k);
                  setPicked(k === 'direct' ? picked.slice(0, 1) : picked);
                  setProblem(null);
                }}
              />
              {k === 'direct' ? t.directChat : t.groupChat}
            </label>
          ))}
        </fieldset>
        {kind === 'group' && (
          <label className="field">
            {t.groupTitle}
            <input value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          </label>
        )}
        <fieldset className="people">
          <legend>{kind === 'direct' ? t.chooseOne : t.chooseSome}</legend>
          <input
            type="search"
            aria-label={t.searchPeople}
            placeholder={t.searchPeople}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          {users === null && !error && <p className="empty">{t.loading}</p>}
          <ul>
            {shown.map((u) => (
              <li key={u.id}>
                <label>
                  <input
                    type={kind === 'direct' ? 'radio' : 'checkbox'}
                    name="people"
                    checked={picked.includes(u.id)}
                    onChange={() => toggle(u.id)}
                  />
                  <span className={`avatar small ${u.role}`} aria-hidden="true">
                    {initials(u.name)}
                  </span>
                  {u.name} <small>· {t.roles[u.role]}</small>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        {problem && (
          <p className="error-note" role="alert">
            {problem}
          </p>
        )}
        {error !== null && <ErrorNote error={error} />}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {t.create}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
