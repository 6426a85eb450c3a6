// SHA-256 in plain TypeScript (src/base/sha256.ts) and the configuration hash framed on it
// (src/uncertainty/config_hash.ts): the FIPS 180-4 vectors, and the same digests as
// node:crypto for random bytes of every length 0..200 split at random points, a few MB,
// and strings beyond ASCII.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { Sha256, sha256Hex } from '../src/base/sha256.js';
import { ConfigHash } from '../src/uncertainty/config_hash.js';

const nodeHex = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** Seeded bytes (xorshift32), so a failure reproduces. */
function randomBytes(n: number, state: { x: number }): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    state.x ^= state.x << 13;
    state.x ^= state.x >>> 17;
    state.x ^= state.x << 5;
    out[i] = state.x & 0xff;
  }
  return out;
}

test('FIPS 180-4 example messages (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf")', () => {
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(
    sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
  assert.is(
    sha256Hex(
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    ),
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  );
  assert.is(
    sha256Hex(new Uint8Array(1_000_000).fill(0x61)),
    'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  );
  assert.is(sha256Hex(new Uint8Array([0xbd])), '68325720aabd7c82f30f554b313d0570c95accbb7dc4b5aae11204c08ffe732b');
  assert.is(sha256Hex(new Uint8Array(55)), '02779466cdec163811d078815c633f21901413081449002f24aa3e80f0b88ef7');
  assert.is(sha256Hex(new Uint8Array(56)), 'd4817aa5497628e7c77e6b606107042bbba3130888c5f47a375e6179be789fbb');
});

test('random bytes of every length 0..200, fed whole and in random pieces, hash like node:crypto', () => {
  const state = { x: 0x5eed };
  for (let n = 0; n <= 200; n++) {
    for (let trial = 0; trial < 3; trial++) {
      const bytes = randomBytes(n, state);
      const wanted = nodeHex(bytes);
      assert.is(sha256Hex(bytes), wanted, `length ${n}, whole`);
      const hash = new Sha256();
      let at = 0;
      while (at < n) {
        const piece = 1 + (randomBytes(1, state)[0] % 80);
        hash.update(bytes.subarray(at, at + piece));
        at += piece;
      }
      assert.is(hash.hex(), wanted, `length ${n}, in pieces`);
    }
  }
});

test('a few MB, and a typed-array view into a larger buffer, hash like node:crypto', () => {
  const big = randomBytes(3 * 1024 * 1024 + 37, { x: 99 });
  assert.is(sha256Hex(big), nodeHex(big));
  const view = big.subarray(1001, 1001 + 70_000);
  assert.is(sha256Hex(view), nodeHex(view));
});

test('strings hash as UTF-8, lone surrogates included, like node:crypto', () => {
  for (const text of ['é', 'ünfolding ✓', '𝛎 weights', 'a\u0000b', '\ud800', 'x\udc00y', 'x'.repeat(1000)]) {
    assert.is(sha256Hex(text), nodeHex(text), JSON.stringify(text));
  }
});

test('a finished hash takes no more updates', () => {
  const hash = new Sha256().update('abc');
  hash.hex();
  assert.is(hash.hex(), sha256Hex('abc'), 'hex() twice gives the same digest');
  assert.throws(() => hash.update('d'), /^a SHA-256 must take its updates before hex\(\); got an update after it$/);
});

/** The configuration hash as it was framed on node:crypto before; stored digests depend on it. */
function nodeConfigHash(parts: (string | number | ArrayBufferView)[]): string {
  const h = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string') h.update(`s${part.length}:${part}`);
    else if (typeof part === 'number') h.update(`n${Object.is(part, -0) ? '-0' : String(part)};`);
    else {
      h.update(`b${part.byteLength}:`);
      h.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
  }
  return h.digest('hex');
}

test('ConfigHash frames strings, numbers and typed arrays exactly as before', () => {
  const state = { x: 7 };
  const raw = randomBytes(4096, state);
  const parts: (string | number | ArrayBufferView)[] = [
    'abc',
    '',
    'é✓\ud800',
    JSON.stringify({ seed: 5, classifier: { type: 'binned' } }),
    0,
    -0,
    1.01,
    -3e-300,
    NaN,
    Infinity,
    2 ** 53,
    new Float64Array(raw.buffer, 8, 100),
    new Float32Array(raw.buffer, 4, 333),
    new Uint8Array(raw.buffer, 3, 17),
    new Uint8Array(0),
  ];
  for (let k = 0; k < 40; k++) {
    const chosen = parts.filter(() => randomBytes(1, state)[0] < 128);
    const hash = new ConfigHash();
    for (const part of chosen) hash.update(part);
    assert.is(
      hash.digest(),
      nodeConfigHash(chosen),
      `parts ${chosen.map((p) => (ArrayBuffer.isView(p) ? p.constructor.name : JSON.stringify(p))).join(', ')}`,
    );
  }
  assert.is(new ConfigHash().digest(), nodeConfigHash([]));
});

test.run();
