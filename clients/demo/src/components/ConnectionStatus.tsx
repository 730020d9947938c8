// The live connection's state: quiet while connected, a "reconnecting" chip otherwise.

import { useMissive } from '@missive/react';
import { useI18n } from '../i18n.js';

export function ConnectionStatus() {
  const { state, client } = useMissive();
  const { t } = useI18n();
  return (
    <span className={`connection ${state}`} role="status">
      <span className="dot" aria-hidden="true" />
      {t.connection[state] ?? state}
      {state === 'disconnected' && (
        <button type="button" className="link" onClick={() => client.reconnectNow()}>
          {t.reconnectNow}
        </button>
      )}
    </span>
  );
}
