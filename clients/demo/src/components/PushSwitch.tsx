// "Notifications on this device": subscribes this browser to pushes (the demo's service worker
// shows them) and registers it with Missive, or undoes both. The browser asks for permission
// on the first switch.

import { useMissive } from '@missive/react';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.js';
import { ErrorNote } from './ErrorNote.js';

const supported = () => typeof navigator !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window;

function worker(): Promise<ServiceWorkerRegistration> {
  return navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready);
}

export function PushSwitch() {
  const { t } = useI18n();
  const { rest } = useMissive();
  const [on, setOn] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!supported()) return;
    let active = true;
    worker()
      .then((registration) => registration.pushManager.getSubscription())
      .then(
        (subscription) => active && setOn(subscription !== null),
        (e: unknown) => active && setError(e),
      );
    return () => {
      active = false;
    };
  }, []);

  if (!supported()) return <p className="hint">{t.pushUnsupported}</p>;

  const toggle = async (wanted: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const registration = await worker();
      if (wanted) await rest.enablePush(registration);
      else await rest.disablePush(registration);
      setOn(wanted);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="push-switch">
      <label className="check">
        <input
          type="checkbox"
          role="switch"
          checked={on ?? false}
          disabled={on === null || busy}
          onChange={(e) => void toggle(e.target.checked)}
        />
        {t.pushDevice}
      </label>
      <p className="hint">{t.pushDeviceHint}</p>
      {typeof Notification !== 'undefined' && Notification.permission === 'denied' && (
        <p className="hint">{t.pushDenied}</p>
      )}
      {error !== null && <ErrorNote error={error} />}
    </div>
  );
}
