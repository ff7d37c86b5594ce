import { defineConfig } from 'vitest/config';

/** The package's own name resolves to its sources here, as in tsconfig.json (see package.json exports). */
const SOURCE_CONDITION = 'stream-gemini-agents-source';

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION] } },
  test: {
    include: ['test/**/*.test.ts'],
    // wrtc segfaults at exit inside worker threads; forked processes are safe.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The suite shares a 2-core machine with real servers (fakes, redis, wrtc peers).
    fileParallelism: true,
    maxWorkers: 2,
    // Quiet unless a run asks for logs (LOG_LEVEL=debug npm test).
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
