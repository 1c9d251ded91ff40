// Numbers, dates, durations and sizes as the UI's language writes them
// (Intl, with the language i18next chose).
import { lang } from './i18n';

/** The browser's own locale where it speaks the UI's language (en-GB writes
 * "7 Dec", en-US "Dec 7"), else the UI's language. */
function locale(): string {
  const l = lang();
  return navigator.languages?.find((b) => b.split('-')[0] === l) ?? l;
}

/** 75.5 → "1:15", 3700 → "1:01:40" (a player's clock reads the same in every language). */
export function clock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '–';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const unit = (n: number, u: string) =>
  new Intl.NumberFormat(locale(), { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: 1 }).format(n);

/** 5400 → "1 hr 30 min" / "1 Std., 30 Min.", 90 → "1 min 30 sec" / "1 Min., 30 Sek.". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (s < 60) return unit(s, 'second');
  if (h) parts.push(unit(h, 'hour'));
  if (m) parts.push(unit(m, 'minute'));
  if (!h && s % 60) parts.push(unit(s % 60, 'second'));
  return new Intl.ListFormat(locale(), { style: 'narrow', type: 'unit' }).format(parts);
}

/** Hours as a number of the language, with its unit: 1.5 → "1.5 hr" / "1,5 Std.". */
export const hours = (h: number) => unit(Math.round(h * 10) / 10, 'hour');

/** A moment as the language writes it, to the minute. */
export const date = (ms: number | string) =>
  new Date(ms).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });

/** A day (YYYY-MM-DD, local) as the language writes it, with its weekday. */
export const dayName = (d: Date) => d.toLocaleDateString(locale(), { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

/** A number as the language writes it: 1234.5 → "1,234.5" / "1.234,5". */
export const number = (n: number, digits = 0) =>
  new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);

/** An amount of money in a currency (ISO 4217): 12.5, "EUR" → "€12.50" / "12,50 €". */
export const money = (n: number, currency: string) =>
  new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(n);

/** A fraction (0..1) as a percentage: 0.873 → "87 %" / "87 %". */
export const percent = (f: number) => new Intl.NumberFormat(locale(), { style: 'percent' }).format(f);

export function bytes(n: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return new Intl.NumberFormat(locale(), { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: i ? 1 : 0 }).format(n);
}

/** An ISO 639-1 code by its name in the UI's language: "de" → "German" / "Deutsch". */
export function languageName(code: string): string {
  try {
    return new Intl.DisplayNames([lang()], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** The local date of a day as YYYY-MM-DD. */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
