// A failure, said plainly, with a way to try again when there is one.

import { errorText } from '../format.js';
import { useI18n } from '../i18n.js';

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <p className="error-note" role="alert">
      {t.labelled(t.error, errorText(error))}{' '}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t.retry}
        </button>
      )}
    </p>
  );
}
