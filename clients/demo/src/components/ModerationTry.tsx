// "Try a message": a text run through the tenant's saved rules as if sent in a kind of
// conversation — what would happen (accepted, masked, blocked), the text as it would be stored,
// and why. Nothing is sent or stored.

import type { ConversationKind, ModerationCheck } from '@missive/client';
import type { MissiveAdmin } from '@missive/client/admin';
import { useState } from 'react';
import { useI18n } from '../i18n.js';
import { FormFooter } from './FormFooter.js';
import { KINDS } from './ModerationRuleFields.js';

export function ModerationTry({ rest }: { rest: MissiveAdmin }) {
  const { t } = useI18n();
  const [body, setBody] = useState('');
  const [kind, setKind] = useState<ConversationKind>('storefront');
  const [result, setResult] = useState<ModerationCheck | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const check = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await rest.checkModeration({ body, kind }));
    } catch (e) {
      setResult(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="moderation-try"
      aria-labelledby="try-title"
      onSubmit={(e) => {
        e.preventDefault();
        void check();
      }}
    >
      <h3 id="try-title">{t.tryMessage}</h3>
      <p className="hint">{t.tryHint}</p>
      <label className="field">
        {t.tryBody}
        <textarea
          rows={3}
          required
          maxLength={4000}
          value={body}
          onChange={(e) => {
            setBody(e.target.value);
            setResult(null);
          }}
        />
      </label>
      <label className="field">
        {t.tryKind}
        <select value={kind} onChange={(e) => setKind(e.target.value as ConversationKind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t.kinds[k]}
            </option>
          ))}
        </select>
      </label>
      <FormFooter error={error} submit={t.tryIt} busy={busy} />
      {result && (
        <div className={`try-result ${result.action}`} role="status">
          <dl>
          <dt>{t.tryOutcome}</dt>
          <dd data-field="action">{t.tryActions[result.action]}</dd>
          {result.action !== 'block' && (
            <>
              <dt>{t.tryStored}</dt>
              <dd data-field="body">{result.body}</dd>
            </>
          )}
          {result.reasons.length > 0 && (
            <>
              <dt>{t.tryReasons}</dt>
              <dd data-field="reasons">{result.reasons.map((r) => t.reasons[r] ?? r).join(', ')}</dd>
            </>
          )}
          </dl>
        </div>
      )}
    </form>
  );
}
