// The home page: pick who you are.

import { DEMO_PEOPLE } from '../api.js';
import { initials } from '../format.js';
import { useI18n } from '../i18n.js';
import { href } from '../router.js';

export function Home() {
  const { t } = useI18n();
  const texts: Record<string, string> = {
    paul: t.homePaulText,
    alice: t.homeAliceText,
    bob: t.homeBobText,
    ada: t.homeAdaText,
  };
  const firstScreen = (id: string) => (id === 'paul' ? 'inbox' : id === 'ada' ? 'notifications' : 'messages');
  return (
    <main className="home">
      <h1>{t.homeTitle}</h1>
      <p className="lead">{t.homeIntro}</p>
      <section aria-labelledby="home-people">
        <h2 id="home-people">{t.sectionPeople}</h2>
        <ul className="role-cards">
          <li>
            <a className="role-card" href={href('guest')}>
              <span className="avatar guest" aria-hidden="true">
                ✿
              </span>
              <strong>{t.homeGuestTitle}</strong>
              <span>{t.homeGuestText}</span>
            </a>
          </li>
          {DEMO_PEOPLE.map((person) => (
            <li key={person.id}>
              <a className="role-card" href={href(person.id, firstScreen(person.id))}>
                <span className={`avatar ${person.role}`} aria-hidden="true">
                  {initials(person.name)}
                </span>
                <strong>{person.name}</strong>
                <span className="role">{t.roles[person.role]}</span>
                <span>{texts[person.id]}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="home-platform">
        <h2 id="home-platform">{t.sectionPlatform}</h2>
        <ul className="role-cards">
          <li>
            <a className="role-card" href={href('operator')}>
              <span className="avatar operator" aria-hidden="true">
                ⚙
              </span>
              <strong>{t.operator}</strong>
              <span>{t.homeOperatorText}</span>
            </a>
          </li>
          <li>
            <a className="role-card" href={href('status')}>
              <span className="avatar status" aria-hidden="true">
                ♥
              </span>
              <strong>{t.homeStatusTitle}</strong>
              <span>{t.homeStatusText}</span>
            </a>
          </li>
        </ul>
      </section>
      <p className="tip">{t.homeTip}</p>
    </main>
  );
}
