import { configDefaults, defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

// Pure rules run without services; everything else shares one PostgreSQL and one Temporal dev
// server started once per run by tests/support/global-setup.ts. Workflow tests start Temporal's
// time-skipping test server for themselves (tests/support/time-skipping.ts); tests/e2e runs alone
// with `npm run test:e2e`.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['domain/**/*.test.ts', 'scripts/cli/**/*.test.ts', 'scripts/lint/**/*.test.ts', 'server/proof/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'db/**/*.test.ts',
            'server/**/*.test.ts',
            'activities/**/*.test.ts',
            'workflows/**/*.test.ts',
            'app/**/*.test.ts',
            'tests/**/*.test.ts',
          ],
          // Against the production topology: `npm run test:cluster` (vitest.cluster.config.ts).
          exclude: [...configDefaults.exclude, 'tests/cluster/**', 'server/proof/**'],
          globalSetup: ['tests/support/global-setup.ts'],
          // Tests wait for Temporal round trips, restarts and time skips; on a loaded two-core CI machine
          // (load 15-30) a minute is not always enough. Speed is the benchmarks' business, not a test's.
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // An approval renders PDFs inside its update: on a loaded two-core CI machine that can take
          // longer than the 20 s a user waits in production before the page says "Wird bearbeitet".
          env: { TEMPORAL_UPDATE_TIMEOUT_MS: '60000' },
          fileParallelism: false,
        },
      },
    ],
  },
});
