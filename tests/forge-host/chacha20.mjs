// The seeded random stream of the conformance runtime: the same bytes as the
// wasmtime host's test-only seeded `wasi:random` (crates/aigis-host/src/seeded.rs),
// so that both hosts draw the same MAC key, signing key and origins.
//
// The stream is the ChaCha20 keystream of RFC 8439 (key: the seed's eight
// little-endian bytes then 24 zero bytes; nonce zero; block counter from
// zero), handed out byte by byte to every `crypto.getRandomValues` call in turn.
// `test/chacha20.test.mjs` checks it against the RFC's test vectors.

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]; // "expand 32-byte k"

const rotl = (x, n) => ((x << n) | (x >>> (32 - n))) >>> 0;

function quarterRound(s, a, b, c, d) {
  s[a] = (s[a] + s[b]) >>> 0;
  s[d] = rotl(s[d] ^ s[a], 16);
  s[c] = (s[c] + s[d]) >>> 0;
  s[b] = rotl(s[b] ^ s[c], 12);
  s[a] = (s[a] + s[b]) >>> 0;
  s[d] = rotl(s[d] ^ s[a], 8);
  s[c] = (s[c] + s[d]) >>> 0;
  s[b] = rotl(s[b] ^ s[c], 7);
}

/** RFC 8439 §2.3: the 64-byte block of `key` (32 bytes), `counter` (u32) and `nonce` (12 bytes). */
export function chacha20Block(key, counter, nonce) {
  if (key.length !== 32 || nonce.length !== 12) throw new RangeError('ChaCha20: a 32-byte key and a 12-byte nonce');
  const k = new DataView(key.buffer, key.byteOffset, 32);
  const n = new DataView(nonce.buffer, nonce.byteOffset, 12);
  const init = new Uint32Array(16);
  init.set(SIGMA, 0);
  for (let i = 0; i < 8; i++) init[4 + i] = k.getUint32(4 * i, true);
  init[12] = counter >>> 0;
  for (let i = 0; i < 3; i++) init[13 + i] = n.getUint32(4 * i, true);
  const s = Uint32Array.from(init);
  for (let i = 0; i < 10; i++) {
    quarterRound(s, 0, 4, 8, 12);
    quarterRound(s, 1, 5, 9, 13);
    quarterRound(s, 2, 6, 10, 14);
    quarterRound(s, 3, 7, 11, 15);
    quarterRound(s, 0, 5, 10, 15);
    quarterRound(s, 1, 6, 11, 12);
    quarterRound(s, 2, 7, 8, 13);
    quarterRound(s, 3, 4, 9, 14);
  }
  const out = new Uint8Array(64);
  const o = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) o.setUint32(4 * i, (s[i] + init[i]) >>> 0, true);
  return out;
}

/** The ChaCha20 key of a seed (a non-negative integer below 2^64). */
export function seedKey(seed) {
  const big = BigInt(seed);
  if (big < 0n || big >= 1n << 64n) throw new RangeError(`seed ${seed} is not a u64`);
  const key = new Uint8Array(32);
  new DataView(key.buffer).setBigUint64(0, big, true);
  return key;
}

/** The keystream of one seed, consumed byte by byte. */
export class SeededRandom {
  constructor(seed) {
    this.key = seedKey(seed);
    this.nonce = new Uint8Array(12);
    this.counter = 0;
    this.block = new Uint8Array(0);
    this.used = 0;
  }

  /** Fills `bytes` (a Uint8Array) with the next bytes of the stream. */
  fill(bytes) {
    for (let i = 0; i < bytes.length; i++) {
      if (this.used === this.block.length) {
        if (this.counter > 0xffffffff) throw new RangeError('ChaCha20: keystream exhausted');
        this.block = chacha20Block(this.key, this.counter, this.nonce);
        this.counter += 1;
        this.used = 0;
      }
      bytes[i] = this.block[this.used++];
    }
    return bytes;
  }

  /** `crypto.getRandomValues` on this stream: any integer typed array, filled through its bytes. */
  getRandomValues(array) {
    if (!ArrayBuffer.isView(array) || array instanceof DataView || array instanceof Float32Array || array instanceof Float64Array) {
      throw new TypeError('getRandomValues: an integer typed array');
    }
    if (array.byteLength > 65536) throw new RangeError(`getRandomValues: ${array.byteLength} bytes is over 65536`);
    this.fill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  }
}
