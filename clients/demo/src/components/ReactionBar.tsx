// A message's reactions, under it: one chip per emoji with its count, pressed when the reader's
// own is among them; a click sets or takes back the reader's. Each chip is named in full for a
// screen reader ("👍 2 réactions, dont la vôtre"): the emoji and a number alone say little.

import type { Reaction } from '@missive/client';
import { useI18n } from '../i18n.js';

export function ReactionBar({
  reactions,
  onToggle,
}: {
  reactions: readonly Reaction[];
  /** Sets (`on`) or takes back the reader's reaction with `emoji`. */
  onToggle: (emoji: string, on: boolean) => void;
}) {
  const { t } = useI18n();
  if (reactions.length === 0) return null;
  return (
    // Out of the log's announcements (aria-live off): a count changing under some earlier
    // message, read out on its own ("👍 2"), would say nothing of which one.
    <div className="reactions" role="group" aria-label={t.reactions} aria-live="off">
      {reactions.map((r) => {
        const mine = r.me === true;
        return (
          <button
            key={r.emoji}
            type="button"
            className="reaction"
            aria-pressed={mine}
            aria-label={t.reactionChip(r.emoji, r.count, mine)}
            onClick={() => onToggle(r.emoji, !mine)}
          >
            <span className="reaction-emoji">{r.emoji}</span> {r.count}
          </button>
        );
      })}
    </div>
  );
}
