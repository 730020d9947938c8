// One `useNotifications` for the bell and the notifications page, so that a notification read
// in one is read in the other.

import { useNotifications, type UseNotifications } from '@missive/react';
import { createContext, useContext, type ReactNode } from 'react';

const NotificationsContext = createContext<UseNotifications | null>(null);

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const notifications = useNotifications({ limit: 20 });
  return <NotificationsContext.Provider value={notifications}>{children}</NotificationsContext.Provider>;
}

export function useSharedNotifications(): UseNotifications {
  const value = useContext(NotificationsContext);
  if (!value) throw new Error('useSharedNotifications outside NotificationsProvider');
  return value;
}
