// The bar on top of every screen: the brand (back home), the screens of the signed-in person,
// who they are, their tools (connection, bell) and the language switch.

import type { ReactNode } from 'react';
import { useI18n } from '../i18n.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

export function Header({ who, nav = [], tools }: { who?: ReactNode; nav?: NavItem[]; tools?: ReactNode }) {
  const { t } = useI18n();
  return (
    <header className="top">
      <a className="brand" href="#/">
        <span className="brand-mark" aria-hidden="true">
          ✉
        </span>
        {t.brand} <small>{t.brandTag}</small>
      </a>
      {nav.length > 0 && (
        <nav aria-label={t.mainNav}>
          {nav.map((item) => (
            <a key={item.href} href={item.href} aria-current={item.current ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
      )}
      <div className="top-right">
        {who && <span className="who">{who}</span>}
        {tools}
        <a className="change-role" href="#/">
          {t.changeRole}
        </a>
        <LanguageSwitch />
      </div>
    </header>
  );
}
