// Lint for the whole monorepo. Dependency direction (shared <- engine <- server, shared <- web)
// is enforced here rather than by convention.
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';

// The web app's layers (bulletproof-react): shared components and lib know no feature; a feature
// knows no other feature; app routes compose them.
const webFeatures = (() => {
  try {
    return readdirSync(new URL('./apps/web/src/features', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
})();
const webUp = { group: ['@/app', '@/app/*', '@/app/**'], message: 'Only app/ composes pages; nothing imports it.' };

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
  {
    files: ['apps/web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['apps/web/src/components/**/*.{ts,tsx}', 'apps/web/src/lib/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [webUp, { group: ['@/features', '@/features/**'], message: 'Shared code knows no feature.' }] }],
    },
  },
  ...webFeatures.map((f) => ({
    files: [`apps/web/src/features/${f}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          webUp,
          { group: ['@/features/*', `!@/features/${f}`, '@/features/*/**', `!@/features/${f}/**`], message: 'A feature does not import another feature; compose them in app/routes.' },
          { group: ['../../*'], message: 'Leave the feature through @/components or @/lib, not a relative path.' },
        ],
      }],
    },
  })),
);
