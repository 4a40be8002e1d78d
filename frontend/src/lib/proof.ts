// Client-side check of an audit event's inclusion proof (RFC 6962 / RFC 9162
// 2.1.3.2): the leaf hash, climbed through the proof's sibling hashes, must
// give the root the proof names, and that root and size must be the ones the
// signed checkpoint note states. The note's signature is checked offline
// (`aigis verify-proof`), against the verifier key.

import type { Proof } from '../generated/api';

export type ProofCheck = { ok: true } | { ok: false; reason: string };

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

/** The root an inclusion proof leads to, or null when the proof does not fit the tree size. */
export async function rootFromInclusion(leafHash: string, leafIndex: number, treeSize: number, path: readonly string[]): Promise<string | null> {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return null;
  let r = hexToBytes(leafHash);
  if (!r || r.length !== 32) return null;
  let fn = leafIndex;
  let sn = treeSize - 1;
  for (const p of path) {
    const sib = hexToBytes(p);
    if (!sib || sib.length !== 32 || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = new Uint8Array(await nodeHash(sib, r));
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = new Uint8Array(await nodeHash(r, sib));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? bytesToHex(r) : null;
}

/** The tree size and root (hex) a checkpoint note states: `origin\nsize\nbase64(root)\n...`. */
export function checkpointHead(note: string): { size: number; root: string } | null {
  const lines = note.split('\n');
  if (lines.length < 3 || !/^\d+$/.test(lines[1])) return null;
  let bin: string;
  try {
    bin = atob(lines[2]);
  } catch {
    return null;
  }
  if (bin.length !== 32) return null;
  return { size: Number(lines[1]), root: bytesToHex(Uint8Array.from(bin, (c) => c.charCodeAt(0))) };
}

/**
 * Checks a proof: it is of this event (its leaf hash is the event's entry
 * hash, when given), its path leads to its root, and the checkpoint states
 * that root and size.
 */
export async function checkProof(p: Proof, entryHash?: string): Promise<ProofCheck> {
  if (entryHash !== undefined && entryHash.toLowerCase() !== p.leafHash.toLowerCase()) {
    return { ok: false, reason: 'The proof is of another event.' };
  }
  const root = await rootFromInclusion(p.leafHash, p.leafIndex, p.treeSize, p.proof);
  if (root === null) return { ok: false, reason: 'The proof does not fit the tree it names.' };
  if (root !== p.rootHash.toLowerCase()) return { ok: false, reason: 'The proof leads to a different root.' };
  const head = checkpointHead(p.checkpoint);
  if (!head) return { ok: false, reason: 'The checkpoint cannot be read.' };
  if (head.size !== p.treeSize || head.root !== root) return { ok: false, reason: 'The checkpoint states another tree.' };
  return { ok: true };
}
