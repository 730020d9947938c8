// The screens by route: the home page, the shop's page for a guest, a demo person's screens
// (signed in), the operator's page and the status page.

import { DEMO_PEOPLE } from './api.js';
import { Header } from './components/Header.js';
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
  if (head === 'guest') return <Storefront />;
  if (head === 'operator')
    return (
      <>
        <Header who={t.operator} />
        <Operator />
      </>
    );
  if (head === 'status')
    return (
      <>
        <Header />
        <Status />
      </>
    );
  const person = DEMO_PEOPLE.find((p) => p.id === head);
  if (person) return <SignedIn key={person.id} userId={person.id} screen={rest[0]} param={rest[1]} />;
  return (
    <>
      <Header />
      <Home />
    </>
  );
}
