// What a failed send offers, under it: why (the tenant's moderation says why, in the sender's
// language), retry, discard — and for a send moderation refused, its text and files given back
// to the composer to be reworded (sent again as is, it would be refused again; only the
// platform's pre-send check may say yes later, so that one may be retried).

import { isMissiveError, type ModerationReason } from '@missive/client';
import type { PendingMessage } from '@missive/react';
import { useI18n, type Dictionary } from '../i18n.js';

export function FailedSend({
  pending,
  retry,
  discard,
  onRefill,
}: {
  pending: PendingMessage;
  retry: (clientMessageId: string) => Promise<unknown>;
  discard: (clientMessageId: string) => void;
  /** Puts a refused message's text and files back in the composer. */
  onRefill: (body: string, files: File[]) => void;
}) {
  const { t } = useI18n();
  const refused = refusal(pending, t);
  return (
    <span className="message-actions failed" role="alert">
      {refused ?? t.sendFailed}
      {refused !== null && (
        <button
          type="button"
          className="link small"
          onClick={() => {
            // The files the send held (the composer's own File objects), with the text.
            onRefill(pending.body ?? '', (pending.files ?? []).map((f) => f.file as File));
            discard(pending.clientMessageId);
          }}
        >
          {t.editRefused}
        </button>
      )}
      {(refused === null || moderationReason(pending) === 'hook') && (
        <button type="button" className="link small" onClick={() => void retry(pending.clientMessageId).catch(() => {})}>
          {t.retry}
        </button>
      )}
      <button type="button" className="link small" onClick={() => discard(pending.clientMessageId)}>
        {t.discard}
      </button>
    </span>
  );
}

/** Why moderation refused the send (`undefined` if the server gave no reason), `null` if it was not moderation. */
function moderationReason(pending: PendingMessage): string | undefined | null {
  const error = pending.error;
  return isMissiveError(error) && error.code === 'moderated' ? error.reason : null;
}

/** The sender's note for a send moderation refused, by its reason; `null` for another failure. */
function refusal(pending: PendingMessage, t: Dictionary): string | null {
  const reason = moderationReason(pending);
  if (reason === null) return null;
  return t.moderated[reason as ModerationReason] ?? t.moderatedOther;
}
