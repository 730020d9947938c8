// The notification preferences: per type, in the app, by e-mail and/or pushed to devices (and
// this device's switch); how e-mails go out (right away, as an hourly digest, never); quiet hours
// in a time zone.

import type { NotificationPreferences, NotificationType } from '@missive/client';
import { useMissive } from '@missive/react';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';
import { FormFooter } from './FormFooter.js';
import { PushSwitch } from './PushSwitch.js';

const TYPES: NotificationType[] = ['message', 'mention', 'reminder', 'event', 'system'];
const MODES = ['immediate', 'digest', 'off'] as const;
const CHANNELS = ['inApp', 'email', 'push'] as const;
type Channel = (typeof CHANNELS)[number];

function timeZones(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['Europe/Paris', 'UTC', own, ...all])];
}

export function Preferences() {
  const { t } = useI18n();
  const { rest } = useMissive();
  const [prefs, setPrefs] = useState<NotificationPreferences | null>(null);
  const [quiet, setQuiet] = useState({ on: false, start: '22:00', end: '07:00', timeZone: 'Europe/Paris' });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const show = (p: NotificationPreferences) => {
    setPrefs(p);
    if (p.quietHours) setQuiet({ on: true, ...p.quietHours });
    else setQuiet((q) => ({ ...q, on: false }));
  };

  useEffect(() => {
    let active = true;
    rest.getNotificationSettings().then(
      (p) => active && show(p),
      (e: unknown) => active && setError(e),
    );
    return () => {
      active = false;
    };
  }, [rest]);

  const setChannel = (type: NotificationType, channel: Channel, on: boolean) => {
    if (!prefs) return;
    setSaved(false);
    // The server answers every type with both channels; the document does not say so (yet).
    const channels = { inApp: false, email: false, ...prefs.types?.[type], [channel]: on };
    setPrefs({ ...prefs, types: { ...prefs.types, [type]: channels } });
  };

  const save = async () => {
    if (!prefs) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      show(
        await rest.putNotificationSettings({
          types: prefs.types,
          emailMode: prefs.emailMode,
          quietHours: quiet.on ? { start: quiet.start, end: quiet.end, timeZone: quiet.timeZone } : null,
        }),
      );
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="preferences-title">
      <h2 id="preferences-title">{t.preferences}</h2>
      <p className="hint">{t.preferencesIntro}</p>
      <PushSwitch />
      {!prefs && !error && <p className="empty">{t.loading}</p>}
      {prefs && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <table className="prefs">
            <thead>
              <tr>
                <th scope="col">{t.type}</th>
                <th scope="col">{t.inApp}</th>
                <th scope="col">{t.email}</th>
                <th scope="col">{t.push}</th>
              </tr>
            </thead>
            <tbody>
              {TYPES.map((type) => (
                <tr key={type}>
                  <th scope="row">{t.types[type]}</th>
                  {CHANNELS.map((channel) => (
                    <td key={channel}>
                      <input
                        type="checkbox"
                        aria-label={t.channelFor(t[channel], t.types[type])}
                        checked={prefs.types?.[type]?.[channel] ?? false}
                        disabled={type === 'system' && channel === 'inApp'}
                        onChange={(e) => setChannel(type, channel, e.target.checked)}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">{t.systemAlwaysInApp}</p>
          <label className="field">
            {t.emailMode}
            <select
              value={prefs.emailMode}
              onChange={(e) => {
                setSaved(false);
                setPrefs({ ...prefs, emailMode: e.target.value as NotificationPreferences['emailMode'] });
              }}
            >
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {t.emailModes[m]}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="quiet">
            <legend>{t.quietHours}</legend>
            <label className="check">
              <input
                type="checkbox"
                checked={quiet.on}
                onChange={(e) => {
                  setSaved(false);
                  setQuiet({ ...quiet, on: e.target.checked });
                }}
              />
              {t.quietHoursOn}
            </label>
            <div className="row">
              <label className="field">
                {t.quietStart}
                <input
                  type="time"
                  value={quiet.start}
                  disabled={!quiet.on}
                  required
                  onChange={(e) => setQuiet({ ...quiet, start: e.target.value })}
                />
              </label>
              <label className="field">
                {t.quietEnd}
                <input
                  type="time"
                  value={quiet.end}
                  disabled={!quiet.on}
                  required
                  onChange={(e) => setQuiet({ ...quiet, end: e.target.value })}
                />
              </label>
              <label className="field">
                {t.timeZone}
                <select
                  value={quiet.timeZone}
                  disabled={!quiet.on}
                  onChange={(e) => setQuiet({ ...quiet, timeZone: e.target.value })}
                >
                  {timeZones().map((z) => (
                    <option key={z} value={z}>
                      {z}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          </fieldset>
          <FormFooter
            error={error}
            submit={t.savePreferences}
            busy={busy}
            done={saved ? t.preferencesSaved : null}
          />
        </form>
      )}
      {!prefs && error !== null && <ErrorNote error={error} />}
    </section>
  );
}
