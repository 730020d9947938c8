// The home page: pick who you are.

import { DEMO_PEOPLE } from '../api.js';
import { initials } from '../format.js';
import { useI18n } from '../i18n.js';
import { href } from '../router.js';

/** One card of the home page: a link to a role's first screen. */
interface RoleCard {
  to: string;
  /** The avatar's colour class (a role, or guest, operator, status). */
  kind: string;
  /** The avatar's initials or sign. */
  avatar: string;
  title: string;
  /** The person's role, for the demo's people. */
  role?: string;
  text: string;
}

export function Home() {
  const { t } = useI18n();
  const texts: Record<string, string> = {
    paul: t.homePaulText,
    alice: t.homeAliceText,
    bob: t.homeBobText,
    ada: t.homeAdaText,
  };
  const firstScreen = (id: string) => (id === 'paul' ? 'inbox' : id === 'ada' ? 'notifications' : 'messages');
  const people: RoleCard[] = [
    { to: href('guest'), kind: 'guest', avatar: '✿', title: t.homeGuestTitle, text: t.homeGuestText },
    ...DEMO_PEOPLE.map((person) => ({
      to: href(person.id, firstScreen(person.id)),
      kind: person.role,
      avatar: initials(person.name),
      title: person.name,
      role: t.roles[person.role],
      text: texts[person.id] ?? '',
    })),
  ];
  const platform: RoleCard[] = [
    { to: href('operator'), kind: 'operator', avatar: '⚙', title: t.operator, text: t.homeOperatorText },
    { to: href('status'), kind: 'status', avatar: '♥', title: t.homeStatusTitle, text: t.homeStatusText },
  ];
  return (
    <main className="home">
      <h1>{t.homeTitle}</h1>
      <p className="lead">{t.homeIntro}</p>
      <RoleSection id="home-people" title={t.sectionPeople} cards={people} />
      <RoleSection id="home-platform" title={t.sectionPlatform} cards={platform} />
      <p className="tip">{t.homeTip}</p>
    </main>
  );
}

function RoleSection({ id, title, cards }: { id: string; title: string; cards: readonly RoleCard[] }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul className="role-cards">
        {cards.map((card) => (
          <li key={card.to}>
            <a className="role-card" href={card.to}>
              <span className={`avatar ${card.kind}`} aria-hidden="true">
                {card.avatar}
              </span>
              <strong>{card.title}</strong>
              {card.role && <span className="role">{card.role}</span>}
              <span>{card.text}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
