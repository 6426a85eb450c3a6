/**
 * The configuration hash of a replica (`replicaHash` in replicas.ts): SHA-256 over a
 * framed sequence of strings, numbers and byte arrays, so that no two different sequences
 * give the same bytes. It is stored in replica records and resume state; the framing below
 * never changes without a new record format (src/uncertainty/replica_store.ts). Node hashes
 * with node:crypto, other platforms with src/base/sha256.ts: the digests are the same.
 */
import { createSha256 } from '#base/sha256-impl';

/** Incremental SHA-256 over strings, numbers and typed arrays (bytes as stored). */
export class ConfigHash {
  private readonly hash = createSha256();

  /**
   * Adds one part: a string as `s<length>:<string>` (length in UTF-16 code units, the
   * string as UTF-8), a number as `n<String(number)>;` (`-0` kept apart from `0`), and a
   * typed array as `b<byteLength>:` followed by its bytes in platform order.
   */
  update(part: string | number | ArrayBufferView): this {
    if (typeof part === 'string') this.hash.update(`s${part.length}:${part}`);
    else if (typeof part === 'number') this.hash.update(`n${Object.is(part, -0) ? '-0' : String(part)};`);
    else {
      this.hash.update(`b${part.byteLength}:`);
      this.hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
    return this;
  }

  /** The digest as 64 lowercase hex digits. */
  digest(): string {
    return this.hash.hex();
  }
}
