// Every text the demo shows, in French (the default) and English. The choice is kept in
// localStorage; `useI18n()` gives the current dictionary and the setter.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { NotificationType, Role } from '@missive/client';

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
const STORAGE_KEY = 'missive-demo-lang';

const fr = {
  language: 'Langue',
  appTitle: 'Missive — démo',
  brand: 'Missive',
  brandTag: 'démo',
  mainNav: 'Navigation principale',
  changeRole: 'Changer de rôle',
  loading: 'Chargement…',
  retry: 'Réessayer',
  close: 'Fermer',
  cancel: 'Annuler',
  save: 'Enregistrer',
  delete: 'Supprimer',
  error: 'Erreur',
  labelled: (label: string, text: string) => `${label} : ${text}`,

  // Roles and identities
  roles: { member: 'membre', partner: 'partenaire', admin: 'administratrice', guest: 'invité·e', bot: 'bot' } as Record<Role, string>,
  operator: 'Opérateur de la plateforme',
  visitor: 'Visiteur',
  signedInAs: 'Connecté·e en tant que',
  guestAs: (name: string) => `Invité·e : ${name}`,

  // Home
  homeTitle: 'Choisissez un rôle',
  homeIntro:
    'Missive fait vivre la messagerie et les notifications de plateformes SaaS. Cette démo tourne sur le serveur local : choisissez qui vous êtes, puis ouvrez une deuxième fenêtre avec un autre rôle pour voir le temps réel.',
  homeTip: 'Astuce : ouvrez Alice et Bob dans deux fenêtres, ou la boutique et la boîte de Paul côte à côte.',
  homeGuestTitle: 'Visiteur de la boutique',
  homeGuestText: 'La page des Fleurs de Paul et sa carte de discussion, sans compte.',
  homePaulText: 'Fleuriste : la boîte de réception des conversations de sa boutique.',
  homeAliceText: 'Pompière : messagerie directe et de groupe, cloche, rappels.',
  homeBobText: 'Pompier : le collègue d’Alice, pour discuter à deux.',
  homeAdaText: 'Administratrice : envoie des notifications à l’équipe.',
  homeOperatorText: 'Les files de tâches, les lettres mortes et les e-mails envoyés.',
  homeStatusTitle: 'État du service',
  homeStatusText: 'La santé du serveur, actualisée toute seule.',
  sectionPeople: 'Les personnes',
  sectionPlatform: 'La plateforme',

  // Navigation of a signed-in user
  navMessages: 'Messagerie',
  navInbox: 'Boîte de la boutique',
  navNotifications: 'Notifications',

  // Connection
  connection: {
    connecting: 'Connexion…',
    connected: 'Connecté',
    disconnected: 'Reconnexion…',
    closed: 'Déconnecté',
  } as Record<string, string>,
  reconnectNow: 'Se reconnecter',

  // Storefront
  shopName: 'Les Fleurs de Paul',
  shopTagline: 'Fleuriste de mariage à Lyon depuis 1998',
  shopAbout:
    'Bouquets de mariée, boutonnières, arches fleuries et centres de table : Paul compose vos fleurs avec des variétés de saison, cultivées près de chez vous.',
  shopProducts: 'Nos créations',
  products: [
    { name: 'Bouquet de mariée « Pivoine »', price: 'à partir de 180 €' },
    { name: 'Boutonnières assorties', price: '12 € pièce' },
    { name: 'Arche fleurie de cérémonie', price: 'sur devis' },
  ],
  shopReviews: '4,9 / 5 — 126 avis de mariés',
  chatTitle: 'Discuter avec Paul',
  chatIntro: 'Une question sur vos fleurs ? Paul vous répond ici, sans compte à créer.',
  yourName: 'Votre prénom',
  yourEmail: 'Votre e-mail (facultatif)',
  startChat: 'Démarrer la discussion',
  endChat: 'Quitter la discussion',
  partnerOnline: 'Paul est en ligne',
  partnerOffline: 'Paul vous répondra dès que possible',
  partnerUnknown: 'Paul vous répond ici',
  chatCardLabel: 'Discussion avec la boutique',

  // Conversations
  conversations: 'Conversations',
  searchConversations: 'Rechercher une conversation',
  noConversations: 'Aucune conversation pour l’instant.',
  noMatch: 'Aucune conversation ne correspond.',
  newConversation: 'Nouvelle conversation',
  moreConversations: 'Plus de conversations',
  unread: (n: number) => (n === 1 ? '1 message non lu' : `${n} messages non lus`),
  kinds: { direct: 'Direct', group: 'Groupe', storefront: 'Boutique' } as Record<string, string>,
  messageDeleted: 'Message supprimé',
  noMessageYet: 'Pas encore de message',
  you: 'Vous',
  pickConversation: 'Choisissez une conversation à gauche, ou commencez-en une nouvelle.',
  pickStorefrontConversation: 'Choisissez une conversation. Les visiteurs de votre boutique apparaissent ici dès qu’ils écrivent.',
  inboxTitle: 'Conversations de la boutique',
  inboxEmpty: 'Aucun visiteur n’a encore écrit. Ouvrez la page de la boutique dans une autre fenêtre pour essayer.',
  members: 'Membres',

  // Thread
  messages: 'Messages',
  olderMessages: 'Messages précédents',
  noMessages: 'Pas encore de message. Dites bonjour !',
  yourMessage: 'Votre message',
  send: 'Envoyer',
  edit: 'Modifier',
  editMessage: 'Modifier le message',
  edited: '(modifié)',
  sending: 'Envoi…',
  sendFailed: 'Échec de l’envoi',
  discard: 'Abandonner',
  receiptSent: 'Envoyé',
  receiptRead: 'Lu',
  receiptReadBy: (names: string) => `Lu par ${names}`,

  // Files
  attach: 'Joindre des fichiers',
  dropFiles: 'Déposez vos fichiers ici',
  removeFile: (name: string) => `Retirer ${name}`,
  filesToSend: 'Fichiers à envoyer',
  attachments: 'Pièces jointes',
  fileSize: (bytes: number) =>
    bytes < 1000 ? `${bytes} o` : bytes < 1_000_000 ? `${Math.round(bytes / 1000)} ko` : `${(bytes / 1_000_000).toFixed(1).replace('.', ',')} Mo`,
  uploading: (name: string, percent: number) => `${name} : envoi ${percent} %`,
  preparingImage: (name: string) => `${name} : aperçu en préparation`,
  openImage: (name: string) => `Voir ${name} en grand`,
  download: (name: string) => `Télécharger ${name}`,
  imageViewer: 'Visionneuse',
  online: 'En ligne',
  offline: 'Hors ligne',
  lastSeen: (when: string) => `vu·e ${when}`,
  typing: (names: string[]) =>
    names.length === 1 ? `${names[0]} écrit…` : `${names.slice(0, -1).join(', ')} et ${names.at(-1)} écrivent…`,
  enterToSend: 'Entrée pour envoyer, Maj+Entrée pour aller à la ligne',

  // New conversation dialog
  newConversationTitle: 'Nouvelle conversation',
  directChat: 'Discussion à deux',
  groupChat: 'Groupe',
  conversationKind: 'Type',
  groupTitle: 'Nom du groupe',
  chooseOne: 'Choisissez une personne',
  chooseSome: 'Choisissez les membres',
  searchPeople: 'Rechercher une personne',
  create: 'Créer',
  pickAtLeastOne: 'Choisissez au moins une personne.',
  pickExactlyOne: 'Choisissez une seule personne.',
  groupNeedsTitle: 'Donnez un nom au groupe.',

  // Notifications
  bell: 'Notifications',
  bellLabel: (n: number) =>
    n === 0 ? 'Notifications, aucune non lue' : n === 1 ? 'Notifications, 1 non lue' : `Notifications, ${n} non lues`,
  markAllRead: 'Tout marquer comme lu',
  markRead: 'Marquer comme lue',
  noNotifications: 'Aucune notification.',
  olderNotifications: 'Notifications plus anciennes',
  allNotifications: 'Toutes les notifications et les préférences',
  openConversation: 'Ouvrir la conversation',
  notificationsTitle: 'Notifications',
  unreadTag: 'non lue',
  toastsLabel: 'Alertes',
  types: {
    message: 'Messages',
    mention: 'Mentions',
    reminder: 'Rappels',
    event: 'Événements',
    system: 'Système',
  } as Record<NotificationType, string>,

  // Preferences
  preferences: 'Préférences de notification',
  preferencesIntro: 'Pour chaque type, où vous voulez être prévenu·e.',
  type: 'Type',
  inApp: 'Dans l’app',
  email: 'E-mail',
  push: 'Sur l’appareil',
  channelFor: (channel: string, type: string) => `${channel} — ${type}`,
  pushDevice: 'Notifications sur cet appareil',
  pushDeviceHint: 'Quand vous n’êtes pas connecté, les notifications arrivent sur cet appareil, même navigateur fermé.',
  pushUnsupported: 'Ce navigateur ne reçoit pas de notifications push.',
  pushDenied: 'Les notifications sont bloquées pour ce site dans le navigateur.',
  emailMode: 'Envoi des e-mails',
  emailModes: { immediate: 'Tout de suite', digest: 'En résumé (toutes les heures)', off: 'Jamais' } as Record<string, string>,
  quietHours: 'Heures calmes',
  quietHoursOn: 'Pas d’e-mail pendant les heures calmes',
  quietStart: 'Début',
  quietEnd: 'Fin',
  timeZone: 'Fuseau horaire',
  systemAlwaysInApp: 'Les notifications système restent toujours dans la cloche.',
  savePreferences: 'Enregistrer les préférences',
  preferencesSaved: 'Préférences enregistrées.',

  // Reminders
  reminders: 'Rappels',
  newReminder: 'Nouveau rappel',
  reminderTitle: 'Titre',
  reminderBody: 'Détail (facultatif)',
  reminderAt: 'Date et heure',
  reminderFor: 'Pour',
  reminderForMe: 'Moi',
  reminderForConversation: (name: string) => `La conversation « ${name} »`,
  createReminder: 'Programmer le rappel',
  reminderCreated: 'Rappel programmé.',
  noReminders: 'Aucun rappel.',
  reminderPending: 'en attente',
  reminderFired: (when: string) => `envoyé ${when}`,
  reminderMustBeFuture: 'Choisissez un moment à venir.',

  // Admin: send a notification
  sendNotification: 'Envoyer une notification',
  sendNotificationIntro: 'En tant qu’administratrice, prévenez des personnes de l’équipe (dans leur cloche et par e-mail selon leurs préférences).',
  recipients: 'Destinataires',
  notificationType: 'Type',
  notificationTitle: 'Titre',
  notificationBody: 'Texte',
  actionLabel: 'Libellé du lien (facultatif)',
  actionUrl: 'Adresse du lien (facultatif)',
  sendIt: 'Envoyer',
  sentTo: (n: number) => (n === 1 ? 'Notification envoyée à 1 personne.' : `Notification envoyée à ${n} personnes.`),
  pickRecipients: 'Choisissez au moins un destinataire.',
  critical: 'Alerte critique (un départ en intervention) : passe les heures calmes et les résumés, sonne tout de suite',
  criticalSent: 'alerte critique',

  // Operator
  operatorTitle: 'Opérateur de la plateforme',
  operatorIntro:
    'Les files de tâches en arrière-plan (partagées par tous les locataires) et les e-mails écrits dans la boîte d’envoi locale.',
  queues: 'Files de tâches',
  queueNames: { fanout: 'Diffusion en direct', notifications: 'Notifications', emails: 'E-mails' } as Record<string, string>,
  queue: 'File',
  visible: 'En attente',
  inFlight: 'En cours',
  delayed: 'Différées',
  deadLettered: 'Lettres mortes',
  oldestAge: 'Plus ancienne',
  oldestDeadLetterAge: 'Plus ancienne lettre morte',
  redrive: 'Relancer',
  redriveQueue: (name: string) => `Relancer les lettres mortes de la file ${name}`,
  redriven: (n: number, name: string) =>
    n === 0 ? `Aucune tâche à relancer dans ${name}.` : n === 1 ? `1 tâche relancée dans ${name}.` : `${n} tâches relancées dans ${name}.`,
  updatedAt: (time: string) => `Actualisé à ${time}`,
  failEmails: 'Faire échouer les envois d’e-mails',
  failEmailsHint:
    'Chaque envoi échoue tant que c’est coché : après cinq tentatives la tâche part en lettre morte. Décochez puis relancez.',
  outbox: 'Boîte d’envoi locale',
  outboxEmpty: 'Aucun e-mail envoyé pour l’instant.',
  to: 'À',
  subject: 'Objet',
  attempts: 'Tentatives',
  sentAt: 'Envoyé',
  seconds: (n: number) => (n < 60 ? `${n} s` : n < 3600 ? `${Math.floor(n / 60)} min` : `${Math.floor(n / 3600)} h`),

  // Status
  statusTitle: 'État du service',
  statusOk: 'Opérationnel',
  statusDegraded: 'Dégradé',
  statusDown: 'Injoignable',
  version: 'Version',
  storage: 'Stockage',
  storageOk: 'OK',
  storageDown: 'Indisponible',
  lastCheck: 'Dernière vérification',
  autoRefresh: (s: number) => `Actualisation automatique toutes les ${s} secondes.`,
  checkNow: 'Vérifier maintenant',
};

export type Dictionary = typeof fr;

const en: Dictionary = {
  language: 'Language',
  appTitle: 'Missive — demo',
  brand: 'Missive',
  brandTag: 'demo',
  mainNav: 'Main navigation',
  changeRole: 'Change role',
  loading: 'Loading…',
  retry: 'Retry',
  close: 'Close',
  cancel: 'Cancel',
  save: 'Save',
  delete: 'Delete',
  error: 'Error',
  labelled: (label, text) => `${label}: ${text}`,

  roles: { member: 'member', partner: 'partner', admin: 'admin', guest: 'guest', bot: 'bot' },
  operator: 'Platform operator',
  visitor: 'Visitor',
  signedInAs: 'Signed in as',
  guestAs: (name) => `Guest: ${name}`,

  homeTitle: 'Choose a role',
  homeIntro:
    'Missive powers the messaging and notifications of SaaS platforms. This demo runs on the local server: pick who you are, then open a second window with another role to watch it happen live.',
  homeTip: 'Tip: open Alice and Bob in two windows, or the shop and Paul’s inbox side by side.',
  homeGuestTitle: 'Shop visitor',
  homeGuestText: 'The page of Les Fleurs de Paul and its chat card, no account needed.',
  homePaulText: 'Florist: the inbox of his shop’s conversations.',
  homeAliceText: 'Firefighter: direct and group chats, the bell, reminders.',
  homeBobText: 'Firefighter: Alice’s colleague, to chat in pairs.',
  homeAdaText: 'Admin: sends notifications to the team.',
  homeOperatorText: 'The job queues, dead letters and the e-mails sent.',
  homeStatusTitle: 'Service status',
  homeStatusText: 'The server’s health, refreshed on its own.',
  sectionPeople: 'People',
  sectionPlatform: 'The platform',

  navMessages: 'Messages',
  navInbox: 'Shop inbox',
  navNotifications: 'Notifications',

  connection: {
    connecting: 'Connecting…',
    connected: 'Connected',
    disconnected: 'Reconnecting…',
    closed: 'Disconnected',
  },
  reconnectNow: 'Reconnect now',

  shopName: 'Les Fleurs de Paul',
  shopTagline: 'Wedding florist in Lyon since 1998',
  shopAbout:
    'Bridal bouquets, buttonholes, flower arches and centrepieces: Paul makes your flowers with seasonal varieties grown nearby.',
  shopProducts: 'Our work',
  products: [
    { name: '“Peony” bridal bouquet', price: 'from €180' },
    { name: 'Matching buttonholes', price: '€12 each' },
    { name: 'Ceremony flower arch', price: 'on quote' },
  ],
  shopReviews: '4.9 / 5 — 126 reviews by couples',
  chatTitle: 'Chat with Paul',
  chatIntro: 'A question about your flowers? Paul answers here, no account needed.',
  yourName: 'Your first name',
  yourEmail: 'Your e-mail (optional)',
  startChat: 'Start chatting',
  endChat: 'Leave the chat',
  partnerOnline: 'Paul is online',
  partnerOffline: 'Paul will answer as soon as he can',
  partnerUnknown: 'Paul answers here',
  chatCardLabel: 'Chat with the shop',

  conversations: 'Conversations',
  searchConversations: 'Search conversations',
  noConversations: 'No conversation yet.',
  noMatch: 'No conversation matches.',
  newConversation: 'New conversation',
  moreConversations: 'More conversations',
  unread: (n) => (n === 1 ? '1 unread message' : `${n} unread messages`),
  kinds: { direct: 'Direct', group: 'Group', storefront: 'Shop' },
  messageDeleted: 'Message deleted',
  noMessageYet: 'No message yet',
  you: 'You',
  pickConversation: 'Pick a conversation on the left, or start a new one.',
  pickStorefrontConversation: 'Pick a conversation. Your shop’s visitors show up here as soon as they write.',
  inboxTitle: 'Shop conversations',
  inboxEmpty: 'No visitor has written yet. Open the shop page in another window to try.',
  members: 'Members',

  messages: 'Messages',
  olderMessages: 'Earlier messages',
  noMessages: 'No message yet. Say hello!',
  yourMessage: 'Your message',
  send: 'Send',
  edit: 'Edit',
  editMessage: 'Edit the message',
  edited: '(edited)',
  sending: 'Sending…',
  sendFailed: 'Not sent',
  discard: 'Discard',
  receiptSent: 'Sent',
  receiptRead: 'Read',
  receiptReadBy: (names) => `Read by ${names}`,

  attach: 'Attach files',
  dropFiles: 'Drop your files here',
  removeFile: (name) => `Remove ${name}`,
  filesToSend: 'Files to send',
  attachments: 'Attachments',
  fileSize: (bytes) =>
    bytes < 1000 ? `${bytes} B` : bytes < 1_000_000 ? `${Math.round(bytes / 1000)} KB` : `${(bytes / 1_000_000).toFixed(1)} MB`,
  uploading: (name, percent) => `${name}: uploading ${percent}%`,
  preparingImage: (name) => `${name}: preview being prepared`,
  openImage: (name) => `View ${name} full size`,
  download: (name) => `Download ${name}`,
  imageViewer: 'Image viewer',
  online: 'Online',
  offline: 'Offline',
  lastSeen: (when) => `seen ${when}`,
  typing: (names) =>
    names.length === 1 ? `${names[0]} is typing…` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`,
  enterToSend: 'Enter to send, Shift+Enter for a new line',

  newConversationTitle: 'New conversation',
  directChat: 'One to one',
  groupChat: 'Group',
  conversationKind: 'Kind',
  groupTitle: 'Group name',
  chooseOne: 'Pick a person',
  chooseSome: 'Pick the members',
  searchPeople: 'Search people',
  create: 'Create',
  pickAtLeastOne: 'Pick at least one person.',
  pickExactlyOne: 'Pick exactly one person.',
  groupNeedsTitle: 'Give the group a name.',

  bell: 'Notifications',
  bellLabel: (n) => (n === 0 ? 'Notifications, none unread' : `Notifications, ${n} unread`),
  markAllRead: 'Mark all read',
  markRead: 'Mark read',
  noNotifications: 'No notifications.',
  olderNotifications: 'Older notifications',
  allNotifications: 'All notifications and preferences',
  openConversation: 'Open the conversation',
  notificationsTitle: 'Notifications',
  unreadTag: 'unread',
  toastsLabel: 'Alerts',
  types: { message: 'Messages', mention: 'Mentions', reminder: 'Reminders', event: 'Events', system: 'System' },

  preferences: 'Notification preferences',
  preferencesIntro: 'For each type, where you want to hear about it.',
  type: 'Type',
  inApp: 'In the app',
  email: 'E-mail',
  push: 'On the device',
  channelFor: (channel, type) => `${channel} — ${type}`,
  pushDevice: 'Notifications on this device',
  pushDeviceHint: 'When you are not connected, notifications reach this device, even with the browser closed.',
  pushUnsupported: 'This browser does not receive push notifications.',
  pushDenied: 'Notifications are blocked for this site in the browser.',
  emailMode: 'E-mail delivery',
  emailModes: { immediate: 'Right away', digest: 'As a digest (hourly)', off: 'Never' },
  quietHours: 'Quiet hours',
  quietHoursOn: 'No e-mail during quiet hours',
  quietStart: 'Start',
  quietEnd: 'End',
  timeZone: 'Time zone',
  systemAlwaysInApp: 'System notifications always stay in the bell.',
  savePreferences: 'Save preferences',
  preferencesSaved: 'Preferences saved.',

  reminders: 'Reminders',
  newReminder: 'New reminder',
  reminderTitle: 'Title',
  reminderBody: 'Details (optional)',
  reminderAt: 'Date and time',
  reminderFor: 'For',
  reminderForMe: 'Me',
  reminderForConversation: (name) => `The conversation “${name}”`,
  createReminder: 'Schedule the reminder',
  reminderCreated: 'Reminder scheduled.',
  noReminders: 'No reminders.',
  reminderPending: 'pending',
  reminderFired: (when) => `sent ${when}`,
  reminderMustBeFuture: 'Pick a time in the future.',

  sendNotification: 'Send a notification',
  sendNotificationIntro: 'As an admin, tell people of the team (in their bell, and by e-mail as their preferences say).',
  recipients: 'Recipients',
  notificationType: 'Type',
  notificationTitle: 'Title',
  notificationBody: 'Text',
  actionLabel: 'Link label (optional)',
  actionUrl: 'Link address (optional)',
  sendIt: 'Send',
  sentTo: (n) => (n === 1 ? 'Notification sent to 1 person.' : `Notification sent to ${n} people.`),
  pickRecipients: 'Pick at least one recipient.',
  critical: 'Critical alert (a call-out): goes through quiet hours and digests, rings at once',
  criticalSent: 'critical alert',

  operatorTitle: 'Platform operator',
  operatorIntro: 'The background job queues (shared by every tenant) and the e-mails written to the local outbox.',
  queues: 'Job queues',
  queueNames: { fanout: 'Live fan-out', notifications: 'Notifications', emails: 'E-mails' },
  queue: 'Queue',
  visible: 'Waiting',
  inFlight: 'In flight',
  delayed: 'Delayed',
  deadLettered: 'Dead letters',
  oldestAge: 'Oldest',
  oldestDeadLetterAge: 'Oldest dead letter',
  redrive: 'Redrive',
  redriveQueue: (name) => `Redrive the dead letters of the ${name} queue`,
  redriven: (n, name) =>
    n === 0 ? `No job to redrive in ${name}.` : n === 1 ? `1 job redriven in ${name}.` : `${n} jobs redriven in ${name}.`,
  updatedAt: (time) => `Updated at ${time}`,
  failEmails: 'Make e-mail sends fail',
  failEmailsHint: 'Every send fails while this is ticked: after five attempts the job is dead-lettered. Untick, then redrive.',
  outbox: 'Local outbox',
  outboxEmpty: 'No e-mail sent yet.',
  to: 'To',
  subject: 'Subject',
  attempts: 'Attempts',
  sentAt: 'Sent',
  seconds: (n) => (n < 60 ? `${n} s` : n < 3600 ? `${Math.floor(n / 60)} min` : `${Math.floor(n / 3600)} h`),

  statusTitle: 'Service status',
  statusOk: 'Operational',
  statusDegraded: 'Degraded',
  statusDown: 'Unreachable',
  version: 'Version',
  storage: 'Storage',
  storageOk: 'OK',
  storageDown: 'Unavailable',
  lastCheck: 'Last check',
  autoRefresh: (s) => `Refreshed automatically every ${s} seconds.`,
  checkNow: 'Check now',
};

const DICTIONARIES: Record<Lang, Dictionary> = { fr, en };

interface I18n {
  lang: Lang;
  t: Dictionary;
  setLang: (lang: Lang) => void;
}

const I18nContext = createContext<I18n>({ lang: 'fr', t: fr, setLang: () => {} });

function storedLang(): Lang {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'en' || value === 'fr' ? value : 'fr';
  } catch {
    return 'fr';
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private browsing: the choice lasts as long as the page.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = DICTIONARIES[lang].appTitle;
  }, [lang]);
  const value = useMemo(() => ({ lang, t: DICTIONARIES[lang], setLang }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
