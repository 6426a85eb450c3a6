/**
 * The Node edge of SHA-256: node:crypto's native hash, about ten times faster than the
 * plain-TypeScript one (src/base/sha256.ts) and with the same digests. Modules get it
 * through the package import `#base/sha256-impl` (package.json "imports", condition
 * `node`); every other platform gets src/base/sha256_neutral.ts.
 */
import { createHash } from 'node:crypto';
import type { IncrementalSha256 } from './sha256.js';

/** A new incremental SHA-256. */
export function createSha256(): IncrementalSha256 {
  const hash = createHash('sha256');
  const incremental: IncrementalSha256 = {
    update(data) {
      hash.update(data);
      return incremental;
    },
    hex: () => hash.digest('hex'),
  };
  return incremental;
}
