// What the Governance Logs screen shows of a pack's verification: the very
// report `aigis verify --json` prints (generated from the core's type) and
// the text `aigis verify` prints.

import type { PackFailure, VerifyReport } from '../../generated/api';

export interface VerifyOutcome {
  report: VerifyReport;
  text: string;
}

/** The options of `aigis verify` the screen offers. */
export interface VerifyOptions {
  trustedKey?: string;
}

export interface Verifier {
  /** e.g. `aigis 0.1.0`. */
  version: string;
  verify: (pack: Uint8Array, previous: Uint8Array | undefined, options: VerifyOptions) => VerifyOutcome;
}

/** The first line `aigis verify` prints: `OK: …` or `FAILED: <file> line … [rule]: message`. */
export function verdictLine(o: VerifyOutcome): string {
  return o.text.split('\n')[0] ?? '';
}

/** Where a failure is, in words: `grants.csv, line 2, field expiresAt`. */
export function failureWhere(f: PackFailure): string {
  const parts = [f.file];
  if (f.line !== undefined) parts.push(`line ${f.line}`);
  if (f.seq !== undefined) parts.push(`seq ${f.seq}`);
  if (f.field !== undefined) parts.push(`field ${f.field}`);
  return parts.join(', ');
}

/** The notes of a report, in the order `aigis verify` prints them. */
export function reportNotes(r: VerifyReport): string[] {
  return [r.provenFrom, r.anchor, r.previous, r.unpinned].filter((n): n is string => typeof n === 'string' && n.length > 0);
}
