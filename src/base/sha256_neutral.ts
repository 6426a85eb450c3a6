/**
 * The platform-neutral edge of SHA-256: the plain-TypeScript hash (src/base/sha256.ts).
 * Modules get it through the package import `#base/sha256-impl` on every platform but
 * Node (package.json "imports", condition `default`); Node gets src/base/sha256_node.ts.
 */
import { Sha256, type IncrementalSha256 } from './sha256.js';

/** A new incremental SHA-256. */
export function createSha256(): IncrementalSha256 {
  return new Sha256();
}
