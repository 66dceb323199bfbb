import { defineConfig } from 'vitest/config';

// The active-response end-to-end tests: real servers in network namespaces (root only).
export default defineConfig({
  test: { root: import.meta.dirname, include: ['*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks', fileParallelism: false },
});
