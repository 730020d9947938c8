// "React" on a message, and the eight emoji it offers. The picker is the demo's modal dialog
// (focus goes to the first emoji, Tab stays inside, Escape or a click beside it closes it and
// focus comes back to "React"), drawn beside the button. Choosing an emoji reacts with it — or
// takes the reaction back if it is already the reader's (pressed) — and closes the picker.

import type { Reaction } from '@missive/client';
import { useLayoutEffect, useRef, useState, type CSSProperties } from 'react';
import { createPortal } from 'react-dom';
import { useI18n } from '../i18n.js';
import { COMMON_EMOJI } from '../reactions.js';
import { ModalDialog } from './ModalDialog.js';

/** The space between the button and the picker, in pixels. */
const GAP = 6;
/** Room the picker needs below the button (one row of emoji), in pixels. */
const ROOM = 64;

export function ReactionPicker({
  reactions,
  align,
  onPick,
}: {
  /** The message's reactions: the reader's own show pressed. */
  reactions: readonly Reaction[];
  /** The side of the message: the picker lines up with the button on that side. */
  align: 'start' | 'end';
  /** Sets (`on`) or takes back the reader's reaction with `emoji`. */
  onPick: (emoji: string, on: boolean) => void;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const [place, setPlace] = useState<CSSProperties>({});
  const mine = new Set(reactions.filter((r) => r.me).map((r) => r.emoji));

  // A modal dialog is drawn above the page, out of the message's layout: it is put by the
  // button before it shows, and again if the window is resized — under it, where it hides
  // the next messages rather than the one reacted to, or above it near the bottom of the
  // window. One of its edges is the button's (the left one for a message on the left, the
  // right one for one's own, on the right), and the style sheet keeps it on screen.
  useLayoutEffect(() => {
    if (!open) return;
    const put = () => {
      const r = button.current?.getBoundingClientRect();
      if (!r) return;
      const height = document.documentElement.clientHeight;
      const vertical = height - r.bottom > ROOM ? { top: r.bottom + GAP } : { bottom: height - r.top + GAP };
      // A custom property (React's style types know only standard ones), the picker's width
      // taken from the style sheet.
      const anchor = align === 'start' ? `${r.left}px` : `calc(${r.right}px - var(--picker-width))`;
      const left = { '--anchor-left': anchor } as CSSProperties;
      setPlace({ ...vertical, ...left });
    };
    put();
    window.addEventListener('resize', put);
    return () => window.removeEventListener('resize', put);
  }, [open, align]);

  return (
    <>
      <button
        ref={button}
        type="button"
        className="link small"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {t.react}
      </button>
      {/* In <body>, not in the message: the messages are a live log, and a picker added to it
          would be read out as if it were news of the conversation. */}
      {open &&
        createPortal(
          <ModalDialog className="reaction-picker" style={place} label={t.reactionPicker} onClose={() => setOpen(false)}>
            <div className="reaction-picker-body">
              {COMMON_EMOJI.map((emoji) => (
                <button
                  key={emoji}
                  type="button"
                  className="reaction-choice"
                  aria-label={t.emojiNames[emoji] ?? emoji}
                  title={t.emojiNames[emoji] ?? emoji}
                  aria-pressed={mine.has(emoji)}
                  onClick={() => {
                    onPick(emoji, !mine.has(emoji));
                    setOpen(false);
                  }}
                >
                  {emoji}
                </button>
              ))}
            </div>
          </ModalDialog>,
          document.body,
        )}
    </>
  );
}
