// My Access: which grants to highlight, and the words for their state.

import type { HeldGrant } from '../../generated/api';

const DAY = 86_400_000;

/** A grant is "expiring soon" within this many days of its end. */
export const SOON_DAYS = 7;

export type Urgency = 'expired' | 'soon' | null;

/** Expired (or past its end), expiring within a week, or neither; revoked grants are not urgent. */
export function urgency(g: Pick<HeldGrant, 'status' | 'expiresAt' | 'activatedAt'>, now: number): Urgency {
  if (g.status === 'expired') return 'expired';
  if (g.status !== 'active') return null;
  if (g.expiresAt <= now) return 'expired';
  return g.expiresAt - now <= SOON_DAYS * DAY ? 'soon' : null;
}

/** The expiry column: the server's label, in the holder's zone; none before access is in place. */
export function expiryText(g: Pick<HeldGrant, 'expiryLabel' | 'status'>): string {
  if (g.expiryLabel) return g.expiryLabel;
  return g.status === 'revoked' ? 'revoked' : 'starts once access is given';
}

/** The days and rationale of an extension (`grants.extend`: 1 to 180 days, a rationale of 1 to 2000 characters). */
export function extendCheck(daysText: string, rationale: string): { days: number; rationale: string } | { error: { field: string; message: string } } {
  const t = daysText.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > 180) return { error: { field: 'days', message: 'Days to add: a whole number from 1 to 180.' } };
  const why = rationale.trim();
  if (!why) return { error: { field: 'rationale', message: 'Rationale: say why the access is extended.' } };
  if (why.length > 2000) return { error: { field: 'rationale', message: 'Rationale: at most 2000 characters.' } };
  return { days: n, rationale: why };
}
