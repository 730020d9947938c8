// The tenant admin's screen (Ada): the tenant's webhooks — endpoints, their secrets, their
// delivery log — and its moderation — the rules, the pre-send check, and a box to try a message.
// Its calls are the admin's own routes (`@missive/client/admin`), with her token.

import { useMemo } from 'react';
import { adminRest } from '../api.js';
import { ModerationSettings } from '../components/ModerationSettings.js';
import { Webhooks } from '../components/Webhooks.js';
import { useI18n } from '../i18n.js';

export function Admin({ me }: { me: string }) {
  const { t } = useI18n();
  const rest = useMemo(() => adminRest(me), [me]);
  return (
    <main className="page admin-page">
      <h1>{t.adminTitle}</h1>
      <p className="lead">{t.adminIntro}</p>
      <Webhooks rest={rest} />
      <ModerationSettings rest={rest} />
    </main>
  );
}
