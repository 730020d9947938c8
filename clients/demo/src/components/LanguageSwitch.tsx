// French or English, kept for the next visit.

import { LANGS, useI18n, type Lang } from '../i18n.js';

const NAMES: Record<Lang, string> = { fr: 'Français', en: 'English' };

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <select className="lang" aria-label={t.language} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
      {LANGS.map((l) => (
        <option key={l} value={l} lang={l}>
          {NAMES[l]}
        </option>
      ))}
    </select>
  );
}
