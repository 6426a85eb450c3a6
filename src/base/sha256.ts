/**
 * SHA-256 (FIPS 180-4) in plain TypeScript, synchronous and incremental, so that hashing
 * runs on every platform without `node:crypto`. Digests equal `createHash('sha256')`'s
 * for the same bytes; strings are hashed as their UTF-8 bytes, as Node does by default
 * (a lone surrogate becomes U+FFFD, EF BF BD, in both). test/sha256.test.ts checks the
 * FIPS 180-4 vectors and agreement with node:crypto on random inputs.
 */
import { OmniFoldError } from './errors.js';

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** The initial hash value: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const BLOCK = 64;
const encoder = new TextEncoder();

/** What both SHA-256 edges provide (the Node one wraps node:crypto). */
export interface IncrementalSha256 {
  /** Adds bytes, or a string's UTF-8 bytes. */
  update(data: Uint8Array | string): IncrementalSha256;
  /** The digest as 64 lowercase hex digits; the hash takes no more updates after this. */
  hex(): string;
}

/** Incremental SHA-256: `new Sha256().update(bytes).update('text').hex()`. */
export class Sha256 implements IncrementalSha256 {
  private readonly state = new Int32Array(H0);
  /** The message schedule [64], reused for every block. */
  private readonly schedule = new Int32Array(64);
  /** Bytes not yet hashed, fewer than one block. */
  private readonly pending = new Uint8Array(BLOCK);
  private nPending = 0;
  /** Message length in bytes so far (exact up to 2^53). */
  private nBytes = 0;
  private finished = false;

  /** Adds bytes, or a string's UTF-8 bytes. */
  update(data: Uint8Array | string): this {
    if (this.finished) throw new OmniFoldError('a SHA-256 must take its updates before hex(); got an update after it');
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    this.nBytes += bytes.length;
    let offset = 0;
    if (this.nPending > 0) {
      const take = Math.min(BLOCK - this.nPending, bytes.length);
      this.pending.set(bytes.subarray(0, take), this.nPending);
      this.nPending += take;
      offset = take;
      if (this.nPending < BLOCK) return this;
      this.compress(this.pending, 0);
      this.nPending = 0;
    }
    for (; offset + BLOCK <= bytes.length; offset += BLOCK) this.compress(bytes, offset);
    if (offset < bytes.length) {
      this.pending.set(bytes.subarray(offset), 0);
      this.nPending = bytes.length - offset;
    }
    return this;
  }

  /** The digest as 64 lowercase hex digits; the hash takes no more updates after this. */
  hex(): string {
    if (!this.finished) this.finish();
    let out = '';
    for (const word of this.state) out += (word >>> 0).toString(16).padStart(8, '0');
    return out;
  }

  /** Padding: a 1 bit, zeros, and the message length in bits as a big-endian u64. */
  private finish(): void {
    const bitsHigh = Math.floor(this.nBytes / 0x20000000);
    const bitsLow = (this.nBytes * 8) >>> 0;
    const tail = this.pending;
    tail[this.nPending] = 0x80;
    tail.fill(0, this.nPending + 1);
    if (this.nPending + 1 > BLOCK - 8) {
      this.compress(tail, 0);
      tail.fill(0);
    }
    const view = new DataView(tail.buffer, tail.byteOffset, BLOCK);
    view.setUint32(BLOCK - 8, bitsHigh);
    view.setUint32(BLOCK - 4, bitsLow);
    this.compress(tail, 0);
    this.finished = true;
  }

  /** One 64-byte block of `bytes` at `offset` into the state. */
  private compress(bytes: Uint8Array, offset: number): void {
    const w = this.schedule;
    for (let t = 0; t < 16; t++) {
      const i = offset + t * 4;
      w[t] = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    const s = this.state;
    let a = s[0],
      b = s[1],
      c = s[2],
      d = s[3],
      e = s[4],
      f = s[5],
      g = s[6],
      h = s[7];
    for (let t = 0; t < 64; t++) {
      const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const choose = (e & f) ^ (~e & g);
      const t1 = (h + sum1 + choose + K[t] + w[t]) | 0;
      const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (sum0 + majority) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    s[0] += a;
    s[1] += b;
    s[2] += c;
    s[3] += d;
    s[4] += e;
    s[5] += f;
    s[6] += g;
    s[7] += h;
  }
}

/** The SHA-256 of `data` (bytes, or a string's UTF-8 bytes) as 64 lowercase hex digits. */
export function sha256Hex(data: Uint8Array | string): string {
  return new Sha256().update(data).hex();
}
