import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}.ts`, import.meta.url));

/** Each package's exports, as its `asof-source` condition maps them: the root and the adapters' subpaths. */
const ENTRIES: Record<string, string> = {
  '@asof/core': 'core/src/index',
  '@asof/materializer': 'materializer/src/index',
  '@asof/materializer/mysql': 'materializer/src/adapters/mysql/index',
  '@asof/sdk': 'sdk/src/index',
  '@asof/stores': 'stores/src/index',
  '@asof/stores/s3': 'stores/src/adapters/s3/index',
  '@asof/stores/dynamodb': 'stores/src/adapters/dynamodb/index',
  '@asof/stores/lmdb': 'stores/src/adapters/lmdb/index',
};

// Tests run against the TypeScript sources, so `pnpm test` needs no build first.
export default defineConfig({
  resolve: {
    // Exact matches: a prefix alias would send '@asof/stores/s3' to '…/index.ts/s3'.
    alias: Object.entries(ENTRIES).map(([name, path]) => ({ find: new RegExp(`^${name.replace(/\//g, '\\/')}$`), replacement: src(path) })),
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts', 'test/**/*.test-d.ts'],
      tsconfig: './tsconfig.test.json',
    },
    globalSetup: ['./test/setup/services.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
