// The demo's service worker (served at /demo/sw.js, scope /demo/): shows each push Missive
// sends — `{"notification":{…},"badge":n}` — as a system notification, and opens the
// conversation (or the bell) when it is clicked.

// The worker's own globals, as much of them as this file uses (the DOM's lib types the rest).
interface PushMessage {
  json(): unknown;
}
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  data: PushMessage | null;
}
interface NotificationClickEvent extends ExtendableEvent {
  notification: Notification;
}
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  navigate(url: string): Promise<unknown>;
}
interface WorkerScope {
  registration: ServiceWorkerRegistration;
  clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  location: Location;
  navigator: Navigator & { setAppBadge?: (n: number) => Promise<void> };
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationClickEvent) => void): void;
}

interface Pushed {
  notification: {
    id: string;
    userId: string;
    type: string;
    title: string;
    body: string;
    conversationId?: string;
    priority?: 'critical';
  };
  badge: number;
}

const worker = self as unknown as WorkerScope;

/** Where a click on the notification leads: its conversation, or the user's bell. */
function target({ notification: n }: Pushed): string {
  const base = new URL('./', worker.location.href).href;
  const route = n.conversationId ? ['messages', n.conversationId] : ['notifications'];
  return `${base}#/${[n.userId, ...route].map(encodeURIComponent).join('/')}`;
}

worker.addEventListener('push', (event) => {
  const pushed = event.data?.json() as Pushed | undefined;
  if (!pushed?.notification) return;
  const n = pushed.notification;
  event.waitUntil(
    Promise.all([
      worker.registration.showNotification(n.title, {
        body: n.body,
        // One per conversation: a newer message replaces the older one.
        tag: n.conversationId ?? n.id,
        requireInteraction: n.priority === 'critical',
        data: { url: target(pushed) },
      }),
      worker.navigator.setAppBadge?.(pushed.badge).catch(() => undefined),
    ]),
  );
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: string } | null)?.url ?? worker.registration.scope;
  event.waitUntil(
    worker.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((w) => w.url.startsWith(worker.registration.scope));
      if (!open) return worker.clients.openWindow(url);
      await open.navigate(url);
      return open.focus();
    }),
  );
});
