// Asserts that a call fails the way bad input must: an InputError with a one-line message.
import * as assert from 'uvu/assert';
import { InputError } from '../../src/base/errors.js';

/**
 * Asserts that `fn` rejects with an InputError whose single-line message matches `pattern`
 * (and names `file`, when given).
 */
export async function rejectsInput(fn: () => Promise<unknown>, pattern: RegExp, file?: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.instance(err, InputError, `wanted InputError, got ${String(err)}`);
    const message = (err as Error).message;
    assert.not.match(message, /\n/, `message must be one line; got ${message}`);
    if (file !== undefined) assert.ok(message.includes(file), `message must name ${file}; got ${message}`);
    assert.match(message, pattern);
    return;
  }
  assert.unreachable(`wanted an error matching ${pattern}`);
}
