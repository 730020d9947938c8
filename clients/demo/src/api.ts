// Where Missive is (the server that serves this page) and how the demo gets its tokens: the
// local runtime signs a demo user's token at /local/demo/session and tells the platform key at
// /local/demo/operator — a real platform's backend would do the signing.

import { MissiveRest, type GuestSession, type Role } from '@missive/client';
import { MissiveAdmin } from '@missive/client/admin';

export const API_BASE = location.origin;
export const WS_URL = `${location.origin.replace(/^http/, 'ws')}/ws`;

export interface DemoUser {
  id: string;
  name: string;
  role: Role;
}

export interface DemoSession {
  token: string;
  tenantId: string;
  storefrontId: string;
  user: DemoUser;
}

/** The demo's people, as the home page offers them. */
export const DEMO_PEOPLE: readonly DemoUser[] = [
  { id: 'paul', name: 'Paul Fleuriste', role: 'partner' },
  { id: 'alice', name: 'Alice Martin', role: 'member' },
  { id: 'bob', name: 'Bob Durand', role: 'member' },
  { id: 'ada', name: 'Ada Lovelace', role: 'admin' },
];

export const STOREFRONT_ID = 'demo-storefront';

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

// Tokens are valid 24 hours: one is asked again after an hour.
const TOKEN_TTL_MS = 60 * 60 * 1000;
const sessions = new Map<string, { at: number; session: Promise<DemoSession> }>();

/** A demo user's session (their token), asked once an hour. */
export function demoSession(userId: string): Promise<DemoSession> {
  const held = sessions.get(userId);
  if (held && Date.now() - held.at < TOKEN_TTL_MS) return held.session;
  const session = getJson<DemoSession>(`/local/demo/session?as=${encodeURIComponent(userId)}`);
  sessions.set(userId, { at: Date.now(), session });
  session.catch(() => sessions.delete(userId));
  return session;
}

let platformKey: Promise<string> | null = null;

/** The platform key, which the operator's routes take as their token. */
export function operatorKey(): Promise<string> {
  platformKey ??= getJson<{ platformKey: string }>('/local/demo/operator').then((o) => o.platformKey);
  platformKey.catch(() => (platformKey = null));
  return platformKey;
}

/** A REST client authenticated as the platform operator, with the operator's routes. */
export function operatorRest(): MissiveAdmin {
  return new MissiveAdmin({ baseUrl: API_BASE, getToken: operatorKey });
}

/** A REST client authenticated as a demo admin (Ada), with the tenant admin's routes. */
export function adminRest(userId: string): MissiveAdmin {
  return new MissiveAdmin({ baseUrl: API_BASE, getToken: () => demoSession(userId).then((s) => s.token) });
}

/** A REST client without a token (health, guest sessions). */
export const publicRest = new MissiveRest({ baseUrl: API_BASE });

// The guest's session lives in this tab's sessionStorage, so a reload keeps the conversation.
const GUEST_KEY = 'missive-demo-guest';

export function loadGuestSession(): GuestSession | null {
  try {
    const raw = sessionStorage.getItem(GUEST_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as GuestSession;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveGuestSession(session: GuestSession | null): void {
  try {
    if (session) sessionStorage.setItem(GUEST_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(GUEST_KEY);
  } catch {
    // Without storage the session lasts as long as the page.
  }
}

/** The failures the local outbox is told to make (not in MissiveAdmin: only its setter is). */
export function localOutboxFailures(): Promise<{ next: number; always: boolean }> {
  return getJson('/local/outbox/failures');
}
