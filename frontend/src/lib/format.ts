// Times, durations and expiry labels as the viewer reads them: in their Jira
// time zone (`context.timezone`), with the same calendar-day rule the backend
// uses for grant labels (aigis_core::time::expiry_label).

import { days, formatDate, formatDateTime } from './labels';

export { days, formatDate, formatDateTime };

const DAY = 86_400_000;

/** A zone Intl accepts, else UTC (as the backend falls back). */
export function safeZone(timeZone: string | undefined | null): string {
  if (!timeZone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone }).format(0);
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/** The calendar day of an instant in a zone, as days since 1970-01-01. */
export function dayNumber(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: safeZone(timeZone),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Math.round(Date.UTC(get('year'), get('month') - 1, get('day')) / DAY);
}

/**
 * `expired`, `expires today`, `expires tomorrow` or `N days remaining`, by
 * calendar days in the viewer's zone.
 */
export function expiryLabel(expiresAt: number, now: number, timeZone?: string | null): string {
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return 'expired';
  const zone = safeZone(timeZone);
  const n = dayNumber(expiresAt, zone) - dayNumber(now, zone);
  if (n <= 0) return 'expires today';
  if (n === 1) return 'expires tomorrow';
  return `${n} days remaining`;
}

/** How close an expiry is, for highlighting: expired, soon (within `soonDays`), or later. */
export function expiryTone(expiresAt: number, now: number, soonDays = 7): 'expired' | 'soon' | 'later' {
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return 'expired';
  return expiresAt - now <= soonDays * DAY ? 'soon' : 'later';
}

/** A time in the viewer's zone, e.g. "3 Mar 2025, 14:05". */
export function viewerTime(ms: number | undefined | null, timeZone?: string | null): string {
  return formatDateTime(ms, safeZone(timeZone));
}

/** A date in the viewer's zone, e.g. "3 Mar 2025". */
export function viewerDate(ms: number | undefined | null, timeZone?: string | null): string {
  return formatDate(ms, safeZone(timeZone));
}

/** "in 3 days", "2 hours ago", "just now": a distance between two instants. */
export function relativeTime(ms: number, now: number): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const units: [number, string][] = [
    [DAY, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const text = `${n} ${name}${n === 1 ? '' : 's'}`;
      return diff > 0 ? `in ${text}` : `${text} ago`;
    }
  }
  return 'just now';
}
