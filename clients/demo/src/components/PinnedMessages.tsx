// The pinned messages, from a conversation's header: a button with their count opens them in a
// modal panel under it (focus in, Escape or a click beside it closes it, focus back on the
// button — as the bell's). "Show" takes the reader to a message in the conversation: scrolled
// to, highlighted a moment, focused — when it is loaded; one older than the pages loaded says
// so instead (the reader pages back to it with "Earlier messages").

import type { Member } from '@missive/client';
import { useEffect, useRef, useState } from 'react';
import { formatWhen, personName, senderName } from '../format.js';
import { usePlaceUnder } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { messageElementId, type Pins } from '../pins.js';
import { MessageBody } from './MessageBody.js';
import { ModalDialog } from './ModalDialog.js';

/** The space between the button and its panel, in pixels. */
const GAP = 8;

export function PinnedMessages({ pins, members, me }: { pins: Pins; members: readonly Member[]; me: string }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const place = usePlaceUnder(open, button, GAP);
  // The pinned message the reader asked for that is not loaded: said beside it.
  const [notLoaded, setNotLoaded] = useState<string | null>(null);
  // The message to take the reader to, once the panel is gone (the page under a modal dialog
  // takes no focus).
  const [target, setTarget] = useState<string | null>(null);

  useEffect(() => {
    if (!target) return;
    setTarget(null);
    const element = document.getElementById(messageElementId(target));
    if (!element) return;
    element.scrollIntoView({ block: 'center' });
    element.focus({ preventScroll: true });
    // Again if it was highlighted already: the animation starts over.
    element.classList.remove('highlighted');
    void element.offsetWidth;
    element.classList.add('highlighted');
  }, [target]);

  const nameOf = (userId: string) =>
    personName(userId, members.find((m) => m.userId === userId)?.name ?? userId, t.deletedUser);
  const show = (messageId: string) => {
    if (!document.getElementById(messageElementId(messageId))) return setNotLoaded(messageId);
    setOpen(false);
    setTarget(messageId);
  };

  return (
    <>
      <button
        ref={button}
        type="button"
        className="small pins-button"
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={() => {
          setNotLoaded(null);
          setOpen(!open);
        }}
      >
        {t.pinsButton(pins.list.length)}
      </button>
      {pins.failed && (
        <p className="settings-note" role="alert">
          {t.pinFailed}{' '}
          <button type="button" className="link small" onClick={pins.dismiss}>
            {t.dismissNote}
          </button>
        </p>
      )}
      {open && (
        <ModalDialog className="bell-panel pins-panel" style={place} label={t.pinnedMessages} onClose={() => setOpen(false)}>
          <div className="bell-panel-body">
            <h2>{t.pinnedMessages}</h2>
            {pins.list.length === 0 ? (
              <p className="empty">{t.noPins}</p>
            ) : (
              <ul className="pin-list">
                {pins.list.map(({ message, messageId, pinnedBy, pinnedAt }) => (
                  <li key={messageId} className="pin">
                    <span className="pin-head">
                      <b>{senderName(message, t.deletedUser)}</b>
                      <time dateTime={pinnedAt}>{t.pinnedBy(nameOf(pinnedBy), formatWhen(pinnedAt, lang))}</time>
                    </span>
                    <MessageBody message={message} members={members} me={me} />
                    <button type="button" className="link small" onClick={() => show(messageId)}>
                      {t.showMessage}
                    </button>
                    {notLoaded === messageId && (
                      <p className="pin-note" role="status">
                        {t.pinNotLoaded}
                      </p>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </ModalDialog>
      )}
    </>
  );
}
