// The composer's mention suggestions: an "@" typed at the start or after a space offers the
// conversation's members one of whose names begins with what follows it, by name, in a listbox
// above the box.
// Focus stays in the message box, which points at the suggestion in hand with
// `aria-activedescendant` (a screen reader reads it out as the arrows move): ↑ and ↓ move,
// Enter or Tab put `<@userId>` in place of the "@…", Escape closes the list until another
// "@" is typed. A click on a suggestion does the same as Enter. A polite status says how many
// there are and which keys choose, since a list that appears beside a text box is not
// otherwise announced.

import type { Member } from '@missive/client';
import { useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';
import { matchesMention, mentionQuery, mentionToken } from '../mentions.js';

/** The most suggestions shown at once (type more of the name to narrow them). */
const MAX_SUGGESTIONS = 8;

interface Typed {
  /** Where the "@" is. */
  start: number;
  /** The caret, at the end of the "@…". */
  end: number;
  query: string;
}

export interface MentionSuggestions {
  /** The message box's attributes that tie it to the list. */
  boxProps: {
    'aria-autocomplete': 'list';
    'aria-controls': string | undefined;
    'aria-activedescendant': string | undefined;
  };
  /** Looks again at what is before the caret: after each change of the text or the caret. */
  track: (box: HTMLTextAreaElement) => void;
  /** Handles the list's keys while it is open; `true` when the key was its own. */
  onKeyDown: (e: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  close: () => void;
  /** The list and its status, to render beside the box. */
  list: ReactNode;
}

/**
 * `members`: who may be mentioned (the others of the conversation). `insert` replaces the text
 * between `start` and `end` with `text`, and leaves the caret after it.
 */
export function useMentionSuggestions(
  members: readonly Member[],
  insert: (start: number, end: number, text: string) => void,
): MentionSuggestions {
  const { t, lang } = useI18n();
  const id = useId();
  const [typed, setTyped] = useState<Typed | null>(null);
  /** The "@" whose list Escape closed. */
  const [closedAt, setClosedAt] = useState<number | null>(null);
  const [active, setActive] = useState(0);

  const found = typed
    ? members
        .filter((m) => matchesMention(m.name, typed.query))
        .sort((a, b) => a.name.localeCompare(b.name, lang))
        .slice(0, MAX_SUGGESTIONS)
    : [];
  const open = typed !== null && typed.start !== closedAt && found.length > 0;
  const index = Math.min(active, found.length - 1);
  const optionId = (i: number) => `${id}-option-${i}`;

  const choose = (member: Member) => {
    if (!typed) return;
    insert(typed.start, typed.end, `${mentionToken(member.userId)} `);
    setTyped(null);
  };

  const track = (box: HTMLTextAreaElement) => {
    const caret = box.selectionStart;
    const query = caret === box.selectionEnd ? mentionQuery(box.value, caret) : null;
    const next = query && { ...query, end: caret };
    // A new "@", or more typed after it: the first suggestion is the one in hand again.
    if (next?.start !== typed?.start || next?.query !== typed?.query) setActive(0);
    if (!next) setClosedAt(null);
    setTyped(next);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || e.nativeEvent.isComposing) return false;
    const chosen = found[index];
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((index + step + found.length) % found.length);
    } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && chosen) {
      choose(chosen);
    } else if (e.key === 'Escape') {
      setClosedAt(typed.start);
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  };

  return {
    boxProps: {
      'aria-autocomplete': 'list',
      'aria-controls': open ? id : undefined,
      'aria-activedescendant': open ? optionId(index) : undefined,
    },
    track,
    onKeyDown,
    close: () => setTyped(null),
    list: (
      <>
        {open && (
          <ul className="mention-suggestions" role="listbox" id={id} aria-label={t.mentionSuggestions}>
            {found.map((m, i) => (
              <li
                key={m.userId}
                id={optionId(i)}
                role="option"
                aria-selected={i === index}
                // Pressed, the box would lose focus (and the list with it) before the click.
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(m)}
              >
                @{m.name}
              </li>
            ))}
          </ul>
        )}
        <p className="visually-hidden" role="status">
          {open ? t.mentionHelp(found.length) : ''}
        </p>
      </>
    ),
  };
}
