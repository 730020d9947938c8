// A secret the server shows once (a webhook's signing secret, the pre-send check's): shown
// until the admin says it is noted, with a copy button, since it cannot be read again.

import { useState } from 'react';
import { useI18n } from '../i18n.js';

export function SecretOnce({
  title,
  secret,
  note,
  onDone,
}: {
  title: string;
  secret: string;
  /** A line under the secret (how long the previous one still signs). */
  note?: string | undefined;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret-once" role="status">
      <p>
        <strong>{title}</strong>
      </p>
      <p className="secret-row">
        <code className="secret">{secret}</code>
        <button
          type="button"
          className="small"
          onClick={() =>
            // The clipboard may be refused (permissions): the secret stays on screen to copy by hand.
            void navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => {},
            )
          }
        >
          {copied ? t.copied : t.copy}
        </button>
        <button type="button" className="small" onClick={onDone}>
          {t.secretNoted}
        </button>
      </p>
      {note && <p className="hint">{note}</p>}
    </div>
  );
}
