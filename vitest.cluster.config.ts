import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

// `npm run test:cluster`: failover tests against the production topology (`npm run cluster`), which
// tests/cluster/support/global-setup.ts starts once per run. Not part of `npm test`.
// Files named *.pending.ts prove behaviour that is not built yet (they fail today); they run only
// with CLUSTER_PENDING=1.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    name: 'cluster',
    include: ['tests/cluster/**/*.test.ts', ...(process.env.CLUSTER_PENDING ? ['tests/cluster/**/*.pending.ts'] : [])],
    globalSetup: ['tests/cluster/support/global-setup.ts'],
    reporters: ['default', './tests/support/summary-reporter.ts'],
    // The files share one cluster and kill its processes: one at a time.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
