import { defineConfig } from 'vitest/config';

// `npm run test:consumers`: the packed tarball in fresh Vite (React 19, React 18) and Next.js apps,
// each built and then driven in Debian's Chromium. global-setup.ts packs, installs and builds once.
// The specs are *.spec.ts so the repository's own `node` project (test/**/*.test.ts) leaves them alone.
// eslint-disable-next-line no-restricted-syntax -- Vitest reads the config from the default export.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.spec.ts'],
    environment: 'node',
    globalSetup: ['global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // The apps' servers and Chromium share 2 cores: one spec file at a time.
    fileParallelism: false,
  },
});
