/**
 * This engine's version, as recorded in every weights file. It equals the version in
 * package.json (test/browser_entry.test.ts checks that); it is written here so that code
 * without file access knows it too.
 */
export const ENGINE_VERSION = '0.1.0';
