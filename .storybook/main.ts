import type { StorybookConfig } from '@storybook/react-vite';

// Storybook for designers (every state of the card and the dialog) and portal developers (the
// docs pages). Everything is local: no remote assets, telemetry off, so `npm run storybook` and
// `npm run build-storybook` work offline. The stories also run as Vitest tests (vitest.config.ts).
const config: StorybookConfig = {
  framework: { name: '@storybook/react-vite', options: {} },
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  // msw-storybook-addon is used through its loader in preview.tsx (one worker, strict about
  // unmocked /api calls); listing it here as well would start its default worker beside ours.
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest'],
  // public/mockServiceWorker.js (`npx msw init public`).
  staticDirs: ['../public'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true, enableCrashReports: false },
  // Radix and TanStack ship "use client" directives, which a client-only bundle drops on purpose:
  // keep the build log for warnings that mean something.
  viteFinal: (viteConfig) => {
    viteConfig.build ??= {};
    viteConfig.build.chunkSizeWarningLimit = 2_000;
    const rollupOptions = (viteConfig.build.rollupOptions ??= {});
    const previous = rollupOptions.onwarn;
    rollupOptions.onwarn = (warning, warn) => {
      if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && /use client/.test(warning.message)) return;
      if (previous) previous(warning, warn);
      else warn(warning);
    };
    return viteConfig;
  },
  typescript: {
    // The props tables: react-docgen-typescript follows our interfaces across files (the card's
    // props extend the hook's options); React's and Radix's own props stay out of the tables.
    // Tests never show a props table, so they skip the (slow) docgen pass.
    reactDocgen: process.env.VITEST ? false : 'react-docgen-typescript',
    reactDocgenTypescriptOptions: {
      shouldExtractLiteralValuesFromEnum: true,
      shouldRemoveUndefinedFromOptional: true,
      propFilter: (prop) => !prop.parent || !prop.parent.fileName.includes('node_modules'),
    },
  },
};

export default config;
