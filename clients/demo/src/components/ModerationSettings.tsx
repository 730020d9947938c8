// The tenant's moderation: its rules, in order (added, removed, edited), and its pre-send check
// (an address asked before every send, and what happens when it does not answer), saved whole;
// the check's secret shown once when one is set where there was none. Beside it, the box that
// tries a message against the saved rules.

import type { Moderation, PreSendHook } from '@missive/client';
import type { MissiveAdmin } from '@missive/client/admin';
import { useCallback, useEffect, useState } from 'react';
import { formatWhen } from '../format.js';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';
import { FormFooter } from './FormFooter.js';
import { ModerationRuleFields, fromDraft, toDraft, type RuleDraft } from './ModerationRuleFields.js';
import { ModerationTry } from './ModerationTry.js';
import { SecretOnce } from './SecretOnce.js';

type HookFailure = NonNullable<PreSendHook['failure']>;

interface HookDraft {
  on: boolean;
  url: string;
  failure: HookFailure;
}

export function ModerationSettings({ rest }: { rest: MissiveAdmin }) {
  const { t, lang } = useI18n();
  const [saved, setSaved] = useState<Moderation | null>(null);
  const [rules, setRules] = useState<RuleDraft[]>([]);
  const [hook, setHook] = useState<HookDraft>({ on: false, url: '', failure: 'open' });
  const [secret, setSecret] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const show = (moderation: Moderation) => {
    setSaved(moderation);
    setRules(moderation.rules.map((rule) => toDraft(rule)));
    // Without a hook the address typed last stays in the field, unticked.
    const saved = moderation.preSendHook;
    if (saved) setHook({ on: true, url: saved.url, failure: saved.failure ?? 'open' });
    else setHook((held) => ({ ...held, on: false }));
  };

  const load = useCallback(() => {
    setLoadError(null);
    rest.getModeration().then(show, (e: unknown) => setLoadError(e));
  }, [rest]);
  useEffect(load, [load]);

  const save = async () => {
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      const answer = await rest.setModeration({
        rules: rules.map(fromDraft),
        preSendHook: hook.on ? { url: hook.url.trim(), failure: hook.failure } : null,
      });
      show(answer.moderation);
      if (answer.preSendHookSecret) setSecret(answer.preSendHookSecret);
      setDone(true);
    } catch (e) {
      // `invalid_request` names the field (`rules[0].patterns[1]: …`): its message says which.
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const edit = (next: RuleDraft[]) => {
    setDone(false);
    setRules(next);
  };

  return (
    <section className="card admin" aria-labelledby="moderation-title">
      <header className="card-head">
        <h2 id="moderation-title">{t.moderation}</h2>
        {saved?.updatedAt && <span className="hint">{t.moderationUpdated(formatWhen(saved.updatedAt, lang))}</span>}
      </header>
      <p className="hint">{t.moderationIntro}</p>
      {loadError !== null && <ErrorNote error={loadError} onRetry={load} />}
      {secret && <SecretOnce title={t.hookSecretOnce} secret={secret} onDone={() => setSecret(null)} />}
      <div className="columns moderation">
        {saved ? (
          <form
            className="moderation-form"
            aria-label={t.moderation}
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            {rules.length === 0 && <p className="empty">{t.noRules}</p>}
            {rules.map((draft, i) => (
              <ModerationRuleFields
                key={draft.key}
                draft={draft}
                index={i}
                onChange={(next) => edit(rules.map((r) => (r.key === draft.key ? next : r)))}
                onRemove={() => edit(rules.filter((r) => r.key !== draft.key))}
              />
            ))}
            <button type="button" className="small add-rule" onClick={() => edit([...rules, toDraft()])}>
              {t.addRule}
            </button>
            <fieldset className="pre-send-hook">
              <legend>{t.preSendHook}</legend>
              <label className="check">
                <input
                  type="checkbox"
                  checked={hook.on}
                  onChange={(e) => {
                    setDone(false);
                    setHook({ ...hook, on: e.target.checked });
                  }}
                />
                {t.preSendHookOn}
              </label>
              {hook.on && (
                <>
                  <label className="field">
                    {t.preSendHookUrl}
                    <input
                      type="url"
                      required
                      value={hook.url}
                      placeholder="https://moderation.example.com/check"
                      onChange={(e) => setHook({ ...hook, url: e.target.value })}
                    />
                  </label>
                  <div role="radiogroup" aria-label={t.hookFailure}>
                    <p className="group-label">{t.hookFailure}</p>
                    {(['open', 'closed'] as const satisfies readonly HookFailure[]).map((failure) => (
                      <label key={failure} className="check">
                        <input
                          type="radio"
                          name="hook-failure"
                          checked={hook.failure === failure}
                          onChange={() => setHook({ ...hook, failure })}
                        />
                        {t.hookFailures[failure]}
                      </label>
                    ))}
                  </div>
                </>
              )}
            </fieldset>
            <FormFooter error={error} submit={t.saveModeration} busy={busy} done={done ? t.moderationSaved : null} />
          </form>
        ) : (
          loadError === null && <p className="empty">{t.loading}</p>
        )}
        <ModerationTry rest={rest} />
      </div>
    </section>
  );
}
