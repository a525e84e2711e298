import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

import { chromiumExecutable, chromiumArgs } from './test/support/chromium';

// Two projects: `node` for the contract, client and server (msw/node, fast-check), and
// `browser` for everything a user sees, in real Chromium (Debian's, never a download).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts?(x)'],
          exclude: ['test/**/*.browser.test.ts?(x)', 'test/package/**'],
        },
      },
      {
        // Runs after `npm run build`: it packs and installs the real artefact.
        test: {
          name: 'package',
          environment: 'node',
          include: ['test/package/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // Pre-bundle what the browser tests import, so Vite does not re-optimise mid-run on a
        // cold cache (seen here: "Failed to fetch dynamically imported module" on a first run).
        optimizeDeps: {
          include: [
            'react',
            'react/jsx-runtime',
            'react/jsx-dev-runtime',
            'react-dom',
            'react-dom/client',
            '@tanstack/react-query',
            '@radix-ui/react-alert-dialog',
            '@testing-library/react',
            '@testing-library/user-event',
            'axe-core',
            'msw',
            'msw/browser',
            'zod/mini',
          ],
        },
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.ts?(x)'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
