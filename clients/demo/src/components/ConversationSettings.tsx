// What the reader chooses for one conversation, in its header: muted for a while (no
// notification of its messages — mentions still come — and out of the tab title's count), or
// archived (out of the conversation list until its next message, found meanwhile under
// "Archived"). The server keeps both per member (`PUT /v1/conversations/{id}/me`, which
// replaces both at once) and sends no event for them: `onChange` tells the screen, whose lists
// ask again.
//
// A new message unarchives the conversation (the server's rule): the header follows it.
//
// "Mute" opens its durations in place, a disclosure (focus on the first; Escape closes them and
// focus goes back to "Mute"); once muted, the same button unmutes.

import type { MySettings } from '@missive/client';
import { useMissive, useMissiveEvent } from '@missive/react';
import { useEffect, useId, useRef, useState } from 'react';
import { formatWhen } from '../format.js';
import { useI18n } from '../i18n.js';

const HOUR_MS = 60 * 60 * 1000;
/** The durations offered, by their key in the dictionary. */
const DURATIONS = [
  ['hour', HOUR_MS],
  ['eightHours', 8 * HOUR_MS],
  ['week', 7 * 24 * HOUR_MS],
] as const;

export function ConversationSettings({ conversationId, onChange }: { conversationId: string; onChange?: () => void }) {
  const { t, lang } = useI18n();
  const { rest } = useMissive();
  const [settings, setSettings] = useState<MySettings | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [failed, setFailed] = useState(false);
  // One change at a time. The buttons stay enabled meanwhile: a disabled button loses focus,
  // and a keyboard user would find themself back at the top of the page.
  const saving = useRef(false);
  const muteButton = useRef<HTMLButtonElement>(null);
  const firstChoice = useRef<HTMLButtonElement>(null);
  // Focus goes back to "Mute" (or "Unmute") once the durations are gone from the page.
  const refocusMute = useRef(false);
  const choicesId = useId();

  useEffect(() => {
    let active = true;
    rest.getMySettings(conversationId).then(
      (s) => active && setSettings(s),
      // Without them the header offers nothing to change rather than a wrong state.
      () => {},
    );
    return () => {
      active = false;
    };
  }, [rest, conversationId]);

  useEffect(() => {
    if (choosing) firstChoice.current?.focus();
    else if (refocusMute.current) muteButton.current?.focus();
    refocusMute.current = false;
  }, [choosing]);

  useMissiveEvent('message.new', (event) => {
    if (event.conversationId === conversationId && settings?.archived) setSettings({ ...settings, archived: false });
  });

  if (!settings) return null;
  // A mute that has run out is no mute (the server answers `null` for it from then on).
  const mutedUntil = settings.mutedUntil && Date.parse(settings.mutedUntil) > Date.now() ? settings.mutedUntil : null;

  const save = async (next: MySettings) => {
    if (saving.current) return;
    saving.current = true;
    setFailed(false);
    try {
      setSettings(await rest.setMySettings(conversationId, next));
      onChange?.();
    } catch {
      setFailed(true);
    } finally {
      saving.current = false;
    }
  };
  const closeChoices = () => {
    refocusMute.current = true;
    setChoosing(false);
  };

  return (
    <div className="conversation-settings">
      {mutedUntil && <span className="muted-note">{t.mutedUntil(formatWhen(mutedUntil, lang))}</span>}
      {/* One button, "Mute" or "Unmute": focus stays on it when the state changes. */}
      <button
        ref={muteButton}
        type="button"
        className="small"
        aria-expanded={mutedUntil ? undefined : choosing}
        aria-controls={mutedUntil || !choosing ? undefined : choicesId}
        onClick={() => (mutedUntil ? void save({ ...settings, mutedUntil: null }) : setChoosing(!choosing))}
      >
        {mutedUntil ? t.unmute : t.mute}
      </button>
      {choosing && !mutedUntil && (
        <div
          id={choicesId}
          className="mute-choices"
          role="group"
          aria-label={t.muteFor}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.preventDefault();
            closeChoices();
          }}
        >
          {DURATIONS.map(([key, ms], i) => (
            <button
              key={key}
              ref={i === 0 ? firstChoice : undefined}
              type="button"
              className="small"
              onClick={() => {
                void save({ ...settings, mutedUntil: new Date(Date.now() + ms).toISOString() }).then(closeChoices);
              }}
            >
              {t.muteDurations[key]}
            </button>
          ))}
        </div>
      )}
      <button
        type="button"
        className="small"
        onClick={() => void save({ ...settings, archived: !settings.archived })}
      >
        {settings.archived ? t.unarchive : t.archive}
      </button>
      {failed && (
        <p className="settings-note" role="alert">
          {t.settingsFailed}
        </p>
      )}
    </div>
  );
}
