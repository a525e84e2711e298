import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

import { chromiumExecutable, chromiumArgs } from './test/support/chromium';

// Real Chromium for everything a user sees: Debian's, never a download.
const chromium = () => ({
  enabled: true,
  headless: true,
  screenshotFailures: false,
  provider: playwright({ launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs } }),
  instances: [{ browser: 'chromium' as const }],
});

// What every in-browser project imports, pre-bundled up front so Vite does not re-optimise mid-run
// on a cold cache (seen here: "Failed to fetch dynamically imported module" on a first run).
const BROWSER_DEPENDENCIES = [
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom',
  'react-dom/client',
  '@tanstack/react-query',
  '@radix-ui/react-alert-dialog',
  'msw',
  'msw/browser',
  'zod/mini',
];

// Every story is a test: it renders, its play function runs, and axe checks the page (the a11y
// parameter `test: 'error'` in .storybook/preview.tsx makes a violation fail). Twice: the
// `storybook` project in the light theme, `storybook-dark` in the dark one (a story that sets its
// own theme keeps it in both).
function storybookProject(theme: 'light' | 'dark'): TestProjectInlineConfiguration {
  return {
    plugins: [storybookTest({ configDir: '.storybook', initialGlobals: { theme } })],
    optimizeDeps: { include: [...BROWSER_DEPENDENCIES, 'msw-storybook-addon/preview', 'storybook/test'] },
    test: {
      name: theme === 'light' ? 'storybook' : 'storybook-dark',
      browser: chromium(),
    },
  };
}

// Projects: `node` for the contract, client and server (msw/node, fast-check); `browser` for the
// React layer and components in real Chromium; `package` for the packed tarball (after a build);
// `storybook` and `storybook-dark` for the stories; `docs-pages` for the built Storybook's MDX pages.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts?(x)'],
          exclude: ['test/**/*.browser.test.ts?(x)', 'test/package/**', 'test/storybook-docs/**', 'test/e2e/**', 'test/docs/**'],
          // A real PostgreSQL for the PostgreSQL store tests: a throwaway cluster of Debian's
          // postgresql (installed first when missing and running as root), or the server in
          // XERO_CONNECTION_TEST_DATABASE_URL.
          globalSetup: ['test/server/postgres-global-setup.ts'],
          // A hang guard, not a speed check: the server tests drive a real OAuth server (the
          // emulator) and PostgreSQL, and `npm test` runs them beside two Chromium projects on two
          // cores. A keep-alive test taking 0.56 s alone took over 5 s (the default) there in CI.
          testTimeout: 30_000,
        },
      },
      {
        // docs/api/ against the TSDoc: runs TypeDoc over the public entries (over a minute on two
        // busy cores), so it is in `npm test` but not in the `test:quick` loop.
        test: {
          name: 'api-docs',
          environment: 'node',
          include: ['test/docs/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // Type tests of the public types (`test/types/*.test-d.ts`, expectTypeOf): tsc checks them,
        // nothing runs. Errors in the sources themselves are `npm run typecheck`'s to report.
        test: {
          name: 'types',
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ['test/types/**/*.test-d.ts'],
            tsconfig: 'test/types/tsconfig.json',
            ignoreSourceErrors: true,
          },
        },
      },
      {
        // Runs after `npm run build`: global-setup.ts packs the real artefact once and installs it
        // into one throwaway consumer that every packed-entry test uses.
        test: {
          name: 'package',
          environment: 'node',
          include: ['test/package/**/*.test.ts'],
          globalSetup: ['test/package/global-setup.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // The whole product in Debian's Chromium: demo page + reference backend + Xero emulator
        // (test/e2e/support.ts starts them). One file at a time: each drives a browser and a server.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // Runs after `npm run build-storybook`: the MDX docs pages of the static build, in Chromium.
        test: {
          name: 'docs-pages',
          environment: 'node',
          include: ['test/storybook-docs/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        optimizeDeps: { include: [...BROWSER_DEPENDENCIES, '@testing-library/react', '@testing-library/user-event', 'axe-core'] },
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.ts?(x)'],
          browser: chromium(),
        },
      },
      storybookProject('light'),
      storybookProject('dark'),
    ],
  },
});
