// One moderation rule as the admin edits it: the kinds of conversation it applies to (none: all),
// what it does, the contact details it finds, and its words and patterns as one-per-line text
// (kept as typed, blank lines included, until saved).

import type { ConversationKind, ModerationAction, ModerationContact, ModerationRule } from '@missive/client';
import { useI18n } from '../i18n.js';

export const KINDS: readonly ConversationKind[] = ['direct', 'group', 'storefront'];
const ACTIONS: readonly ModerationAction[] = ['mask', 'block'];
const CONTACTS: readonly ModerationContact[] = ['phone', 'email', 'link'];

/** A rule while edited: its words and patterns are the text areas' text. */
export interface RuleDraft {
  /** Tells drafts apart while rules are added and removed (React's key). */
  key: number;
  kinds: ConversationKind[];
  action: ModerationAction;
  contacts: ModerationContact[];
  words: string;
  patterns: string;
}

let nextKey = 0;

export function toDraft(rule?: ModerationRule): RuleDraft {
  return {
    key: nextKey++,
    kinds: rule?.kinds ?? [],
    action: rule?.action ?? 'mask',
    contacts: rule?.contacts ?? [],
    words: rule?.words?.join('\n') ?? '',
    patterns: rule?.patterns?.join('\n') ?? '',
  };
}

/** The rule to save: one word or pattern per non-blank line (a pattern's own spaces kept). */
export function fromDraft(draft: RuleDraft): ModerationRule {
  const lines = (text: string) => text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return {
    kinds: draft.kinds,
    action: draft.action,
    contacts: draft.contacts,
    words: lines(draft.words).map((word) => word.trim()),
    patterns: lines(draft.patterns),
  };
}

function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
}

/** A labelled group of checkboxes choosing some of `options`. */
function CheckGroup<T extends string>({
  label,
  options,
  names,
  chosen,
  onChange,
  hint,
}: {
  label: string;
  options: readonly T[];
  names: Record<T, string>;
  chosen: readonly T[];
  onChange: (chosen: T[]) => void;
  hint?: string;
}) {
  return (
    <div role="group" aria-label={label}>
      <p className="group-label">{label}</p>
      {options.map((option) => (
        <label key={option} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(option)}
            onChange={(e) => onChange(toggled(chosen, option, e.target.checked))}
          />
          {names[option]}
        </label>
      ))}
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

export function ModerationRuleFields({
  draft,
  index,
  onChange,
  onRemove,
}: {
  draft: RuleDraft;
  index: number;
  onChange: (draft: RuleDraft) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const n = index + 1;
  return (
    <fieldset className="rule" aria-label={t.rule(n)}>
      <div className="rule-head">
        <h3>{t.rule(n)}</h3>
        {/* Its name says which rule, and starts with what it shows (a voice command says what it sees). */}
        <button type="button" className="link small danger" aria-label={t.removeRule(n)} onClick={onRemove}>
          {t.remove}
        </button>
      </div>
      <div className="rule-choices">
        <CheckGroup
          label={t.ruleKinds}
          options={KINDS}
          names={t.kinds}
          chosen={draft.kinds}
          onChange={(kinds) => onChange({ ...draft, kinds })}
          hint={t.ruleKindsHint}
        />
        <div role="radiogroup" aria-label={t.ruleAction}>
          <p className="group-label">{t.ruleAction}</p>
          {ACTIONS.map((action) => (
            <label key={action} className="check">
              <input
                type="radio"
                name={`rule-${draft.key}-action`}
                checked={draft.action === action}
                onChange={() => onChange({ ...draft, action })}
              />
              {t.ruleActions[action]}
            </label>
          ))}
        </div>
        <CheckGroup
          label={t.ruleContacts}
          options={CONTACTS}
          names={t.contacts}
          chosen={draft.contacts}
          onChange={(contacts) => onChange({ ...draft, contacts })}
        />
      </div>
      <div className="row">
        <label className="field grow">
          {t.ruleWords}
          <textarea rows={3} value={draft.words} onChange={(e) => onChange({ ...draft, words: e.target.value })} />
        </label>
        <label className="field grow">
          {t.rulePatterns}
          <textarea
            rows={3}
            className="mono"
            spellCheck={false}
            value={draft.patterns}
            onChange={(e) => onChange({ ...draft, patterns: e.target.value })}
          />
        </label>
      </div>
    </fieldset>
  );
}
