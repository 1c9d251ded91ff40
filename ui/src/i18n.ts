// The UI's languages: i18next holds the strings (one JSON file per page and
// language under locales/), picks the language (a choice remembered in this
// browser, else the browser's own), and plural forms; Intl formats dates,
// numbers, durations and language names. A component reads its strings
// with `useT()`, which re-renders it when the language changes.
import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import enCommon from './locales/en/common.json';
import enLibrary from './locales/en/library.json';
import enMedia from './locales/en/media.json';
import enSearch from './locales/en/search.json';
import enPersons from './locales/en/persons.json';
import enActivity from './locales/en/activity.json';
import enAsk from './locales/en/ask.json';
import enAdmin from './locales/en/admin.json';
import enLogin from './locales/en/login.json';
import deCommon from './locales/de/common.json';
import deLibrary from './locales/de/library.json';
import deMedia from './locales/de/media.json';
import deSearch from './locales/de/search.json';
import dePersons from './locales/de/persons.json';
import deActivity from './locales/de/activity.json';
import deAsk from './locales/de/ask.json';
import deAdmin from './locales/de/admin.json';
import deLogin from './locales/de/login.json';

const en = {
  common: enCommon,
  library: enLibrary,
  media: enMedia,
  search: enSearch,
  persons: enPersons,
  activity: enActivity,
  ask: enAsk,
  admin: enAdmin,
  login: enLogin,
};
// Typed as the English strings: a key missing in German does not compile
// (scripts/i18n-check.mjs checks the other direction and the placeholders).
const de: typeof en = {
  common: deCommon,
  library: deLibrary,
  media: deMedia,
  search: deSearch,
  persons: dePersons,
  activity: deActivity,
  ask: deAsk,
  admin: deAdmin,
  login: deLogin,
};

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}

/** The languages the UI speaks, each named in itself (for the switch). */
export const LANGUAGES = { en: 'English', de: 'Deutsch' } as const; // i18n-ignore: each in itself
export type Lang = keyof typeof LANGUAGES;
const STORE = 'aima.lang';

i18next.use(LanguageDetector).init({
  resources: { en: { translation: en }, de: { translation: de } },
  supportedLngs: Object.keys(LANGUAGES),
  nonExplicitSupportedLngs: true,
  load: 'languageOnly',
  fallbackLng: 'en',
  // A choice made with the switch, else the browser's languages in order.
  // Only the switch remembers: a browser whose language changes is followed.
  detection: { order: ['localStorage', 'navigator'], lookupLocalStorage: STORE, caches: [] },
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

/** The language in use. */
export const lang = (): Lang => (i18next.resolvedLanguage as Lang | undefined) ?? 'en';

/** Switches language and remembers the choice in this browser. */
export async function setLang(l: Lang) {
  localStorage.setItem(STORE, l);
  await i18next.changeLanguage(l);
}

export const LangContext = createContext<Lang>('en');

/** The translate function; the component re-renders when the language changes. */
export function useT() {
  useContext(LangContext);
  return i18next.t;
}

export const t = i18next.t;

/** An API error in the reader's language: known codes are translated, others keep the server's message and code. */
export function errorText(e: unknown): string {
  const err = e as { code?: string; message?: string } | null;
  const code = err?.code;
  if (code && i18next.exists(`common.errors.${code}`)) return i18next.t(`common.errors.${code}` as never);
  const message = err?.message ?? String(e);
  return code ? `${message} (${code})` : message;
}
