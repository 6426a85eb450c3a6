// Lint rules for the TypeScript in src/, workers/, test/ and bench/ and the scripts in bin/
// and scripts/ (asm/ is AssemblyScript, checked by its own compiler). Formatting is
// Prettier's job (.prettierrc.json).
//
// typescript-eslint's recommended rules, plus the type-aware rules that catch mistakes
// in asynchronous and numeric code: a promise nobody awaits, an `await` of a non-promise,
// a cast that changes nothing, an object printed as "[object Object]". The no-unsafe-*
// rules on `any` are left out: every `any` here is parsed JSON or file metadata, and the
// hand-written validators that check it (src/publish/validate.ts, src/io/*) are the guard.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'asm/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-base-to-string': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Control characters are matched on purpose: names that hold them are rejected, and
    // the test runner strips ANSI colour codes.
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Tests edit parsed JSON (weights-file metadata, HEPData YAML) to make bad inputs.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
