// The tenant admin's screen (Ada): the tenant's webhooks — endpoints, their secrets, their
// delivery log —, its moderation — the rules, the pre-send check, and a box to try a message —,
// the export of a person's data or their erasure, and the audit log of every administrative act.
// Its calls are the admin's own routes (`@missive/client/admin`), with her token.

import { useMemo, useState } from 'react';
import { adminRest } from '../api.js';
import { AuditLog } from '../components/AuditLog.js';
import { DataExports } from '../components/DataExports.js';
import { ModerationSettings } from '../components/ModerationSettings.js';
import { Webhooks } from '../components/Webhooks.js';
import { useI18n } from '../i18n.js';

export function Admin({ me }: { me: string }) {
  const { t } = useI18n();
  const rest = useMemo(() => adminRest(me), [me]);
  // Bumped by an act of this screen that the audit log records (an export asked for, an erasure).
  const [acts, setActs] = useState(0);
  return (
    <main className="page admin-page">
      <h1>{t.adminTitle}</h1>
      <p className="lead">{t.adminIntro}</p>
      <Webhooks rest={rest} />
      <ModerationSettings rest={rest} />
      <DataExports rest={rest} me={me} onAct={() => setActs((n) => n + 1)} />
      <AuditLog rest={rest} version={acts} />
    </main>
  );
}
