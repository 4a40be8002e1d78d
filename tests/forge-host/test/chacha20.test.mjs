// The seeded stream of the conformance runtime (chacha20.mjs) against RFC 8439
// and against the wasmtime host's (crates/aigis-host/src/seeded.rs checks the
// same vectors): `node --test tests/forge-host/test/`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chacha20Block, SeededRandom, seedKey } from '../chacha20.mjs';
import { Platform } from '../platform.mjs';

const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const bytes = (h) => Uint8Array.from(Buffer.from(h, 'hex'));

// RFC 8439 A.1, test vectors #1 and #2: the all-zero key (seed 0), nonce zero, blocks 0 and 1.
const A1_BLOCK0 = '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586';
const A1_BLOCK1 = '9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f';
// Seed 1 (the conformance seed), first 32 bytes, as OpenSSL's ChaCha20 gives them.
const SEED1 = 'c5d30a7ce1ec119378c84f487d775a8542f13ece238a9455e8229e888de85bbd';

test('the block function is RFC 8439 §2.3.2', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  const block = chacha20Block(key, 1, bytes('000000090000004a00000000'));
  assert.equal(
    hex(block),
    '10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e',
  );
});

test('seed 0 is the RFC 8439 keystream, across blocks and odd draws', () => {
  const r = new SeededRandom(0);
  const parts = [1, 7, 56, 3, 61].map((n) => hex(r.fill(new Uint8Array(n))));
  assert.equal(parts.join(''), A1_BLOCK0 + A1_BLOCK1);
});

test('seed 1 gives the bytes the wasmtime host gives', () => {
  assert.equal(hex(new SeededRandom(1).fill(new Uint8Array(32))), SEED1);
  assert.equal(hex(seedKey(1)), `01${'00'.repeat(31)}`);
  assert.throws(() => seedKey(-1), RangeError);
  assert.throws(() => seedKey(2n ** 64n), RangeError);
});

test('getRandomValues fills any integer array through its bytes, and refuses the rest', () => {
  const r = new SeededRandom(0);
  const words = r.getRandomValues(new Uint32Array(2));
  assert.equal(hex(new Uint8Array(words.buffer)), A1_BLOCK0.slice(0, 16));
  assert.throws(() => r.getRandomValues(new Float64Array(1)), TypeError);
  assert.throws(() => r.getRandomValues(new Uint8Array(65537)), RangeError);
});

test('an installed seeded platform serves crypto.getRandomValues from its stream, and reseeds', () => {
  const platform = new Platform({ seed: 1 });
  platform.install();
  assert.equal(hex(crypto.getRandomValues(new Uint8Array(8))), SEED1.slice(0, 16));
  assert.equal(hex(crypto.getRandomValues(new Uint8Array(8))), SEED1.slice(16, 32));
  platform.reseed(0);
  assert.equal(hex(crypto.getRandomValues(new Uint8Array(4))), A1_BLOCK0.slice(0, 8));
});
