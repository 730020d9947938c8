// The screens by route: the home page, the shop's page for a guest, a demo person's screens
// (signed in), the operator's page and the status page. The tab's title is the demo's name on
// every screen but a signed-in person's, which counts their unread messages in it.

import { DEMO_PEOPLE } from './api.js';
import { Header } from './components/Header.js';
import { TabTitle } from './components/TabTitle.js';
import { useI18n } from './i18n.js';
import { useRoute } from './router.js';
import { Home } from './screens/Home.js';
import { Operator } from './screens/Operator.js';
import { SignedIn } from './screens/SignedIn.js';
import { Status } from './screens/Status.js';
import { Storefront } from './screens/Storefront.js';

export function App() {
  const [head, ...rest] = useRoute();
  const { t } = useI18n();
  const person = DEMO_PEOPLE.find((p) => p.id === head);
  if (person) return <SignedIn key={person.id} userId={person.id} screen={rest[0]} param={rest[1]} />;
  return (
    <>
      <TabTitle />
      {head === 'guest' ? (
        <Storefront />
      ) : head === 'operator' ? (
        <>
          <Header who={t.operator} />
          <Operator />
        </>
      ) : head === 'status' ? (
        <>
          <Header />
          <Status />
        </>
      ) : (
        <>
          <Header />
          <Home />
        </>
      )}
    </>
  );
}
