// Lint for the whole monorepo. Dependency direction (shared <- engine <- server, shared <- web)
// is enforced here rather than by convention.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', 'e2e/artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': 'error',
      'no-restricted-syntax': 'off',
    },
  },
  {
    files: ['packages/engine/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process', 'net', 'node:net'],
        patterns: ['@portcullis/server*', '@portcullis/web*'],
      }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'The engine takes time as an argument.' }],
    },
  },
  {
    files: ['packages/shared/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@portcullis/engine*', '@portcullis/server*', '@portcullis/web*'] }] },
  },
);
