// ESLint over every workspace, type-aware (typescript-eslint with the project's tsconfig). `make test` runs it and
// fails on any warning.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.build/**', 'var/**', 'protocol/docs/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits or hands on loses its error: a door command that failed silently.
      // tap's `t.test(...)` reports its own failures (the runner awaits every subtest).
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'only', 'skip', 'todo'], package: '@tapjs/core' },
            { from: 'package', name: ['test', 'only', 'skip', 'todo'], package: 'tap' },
            { from: 'package', name: ['test'], package: '@tapjs/test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // `typeof import('x')` stays allowed: it names the type of a module loaded lazily (yaml, node-pty).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-console': 'error',
      // A `let` a closure reads before its one assignment (a teardown, a peer stream) cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Terminal code matches escape sequences on purpose (\x1b, \r).
      'no-control-regex': 'off',
    },
  },
  {
    // Programs and tests may write to the terminal; library code logs with pino.
    files: ['**/test/**/*.ts', 'scripts/**/*.ts', '**/src/main.ts', '**/src/cli/**/*.ts', '**/bin/**'],
    rules: { 'no-console': 'off' },
  },
);
