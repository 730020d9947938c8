// A storefront page of the wedding marketplace — "Les Fleurs de Paul" — as a visitor sees it,
// with the chat card where they talk to Paul without an account.

import type { GuestSession } from '@missive/client';
import { useState } from 'react';
import { loadGuestSession, saveGuestSession } from '../api.js';
import { Header } from '../components/Header.js';
import { StorefrontChat } from '../components/StorefrontChat.js';
import { useI18n } from '../i18n.js';

const PICTURES = ['peony', 'buttonhole', 'arch'];

export function Storefront() {
  const { t } = useI18n();
  const [session, setSession] = useState<GuestSession | null>(loadGuestSession);
  const changeSession = (next: GuestSession | null) => {
    saveGuestSession(next);
    setSession(next);
  };

  return (
    <>
      <Header who={session ? t.guestAs(session.user.name) : t.visitor} />
      <main className="storefront">
        <div className="shop">
          <section className="shop-hero">
            <p className="shop-kicker">{t.shopReviews}</p>
            <h1>{t.shopName}</h1>
            <p className="shop-tagline">{t.shopTagline}</p>
          </section>
          <p className="shop-about">{t.shopAbout}</p>
          <h2>{t.shopProducts}</h2>
          <ul className="products">
            {t.products.map((p, i) => (
              <li key={p.name}>
                <div className={`product-picture ${PICTURES[i]}`} aria-hidden="true" />
                <strong>{p.name}</strong>
                <span>{p.price}</span>
              </li>
            ))}
          </ul>
        </div>
        <StorefrontChat session={session} onSession={changeSession} />
      </main>
    </>
  );
}
