// A modal dialog on the native <dialog>: showModal() puts it above the page and makes the rest
// of the page inert (no click, no focus, hidden from screen readers), and moves focus to its
// first control. Around that, what a person using the keyboard needs: Tab and Shift+Tab cycle
// within it (the browser would otherwise leave for its own toolbar), Escape or a click on the
// backdrop closes it, and focus goes back to the element that opened it however it closes —
// even when the screen removes it without closing it (the dialog's work done).

import { useEffect, useRef, type CSSProperties, type ReactNode } from 'react';
import { useReturnFocus } from '../hooks.js';

export function ModalDialog({
  id,
  label,
  labelledBy,
  describedBy,
  alert = false,
  className,
  style,
  onClose,
  children,
}: {
  id?: string;
  /** Its accessible name, or `labelledBy` (the id of its visible title). */
  label?: string;
  labelledBy?: string;
  /** The id of the text that says what it asks, read with its name. */
  describedBy?: string;
  /** An `alertdialog`: it asks to confirm something that cannot be undone. */
  alert?: boolean;
  className?: string;
  style?: CSSProperties;
  /** Closed by Escape, the backdrop or a `<form method="dialog">`: the owner unmounts it. */
  onClose: () => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const pressedBackdrop = useRef(false);

  // First the opener noted (focus goes back to it), then the dialog shown (focus goes in).
  useReturnFocus(dialog);
  useEffect(() => dialog.current?.showModal(), []);

  return (
    <dialog
      ref={dialog}
      id={id}
      className={className}
      style={style}
      aria-label={label}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      role={alert ? 'alertdialog' : undefined}
      onClose={onClose}
      // A click on the backdrop lands on the <dialog> itself (its content covers its box). It
      // closes the dialog once the click is over — a press there closing it at once would let
      // the release click what was under the backdrop — and only if it started there too: a
      // press inside that ends outside, as when selecting text, does not close it.
      onMouseDown={(e) => (pressedBackdrop.current = e.target === dialog.current)}
      onClick={(e) => {
        if (pressedBackdrop.current && e.target === dialog.current) dialog.current?.close();
        pressedBackdrop.current = false;
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Tab' || !dialog.current) return;
        const stops = tabStops(dialog.current);
        const [first, last] = [stops[0], stops.at(-1)];
        const current = document.activeElement;
        if (!first || !last) {
          e.preventDefault();
        } else if (e.shiftKey && (current === first || current === dialog.current)) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && current === last) {
          e.preventDefault();
          first.focus();
        }
      }}
    >
      {children}
    </dialog>
  );
}

const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]';

/** The elements Tab stops at inside `root`, in order: enabled, shown, one per radio group. */
function tabStops(root: HTMLElement): HTMLElement[] {
  const all = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => el.tabIndex >= 0 && !el.matches(':disabled') && el.getClientRects().length > 0,
  );
  const radios = (name: string) =>
    all.filter((el): el is HTMLInputElement => el instanceof HTMLInputElement && el.type === 'radio' && el.name === name);
  return all.filter((el) => {
    if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || !el.name) return true;
    // A radio group is one stop: its checked radio, or its first while none is.
    const group = radios(el.name);
    return el.checked || (!group.some((r) => r.checked) && group[0] === el);
  });
}
