import '../src/components/styles/theme.css';
import '../src/components/styles/buttons.css';
import '../src/components/styles/dialog.css';
import '../src/components/styles/card.css';
import './preview.css';

import type { Decorator, Preview } from '@storybook/react-vite';
import { setupWorker } from 'msw/browser';
import { createPreviewAnnotations } from 'msw-storybook-addon/preview';

import { storyBackendsHandler } from '../stories/support/story-backends';

/** The two themes of the default stylesheet, forced with `data-theme` on <html>. */
export type Theme = 'light' | 'dark';

// One msw worker (msw-storybook-addon) serves every story's fake backend. Its initial handler
// routes /api/… to the backend each story registered (stories/support/story-backends.ts), so the
// addon's handler reset at each story's teardown cannot take another story's backend away on a
// docs page. Stories may still add their own overrides with `context.msw.use(…)`.
// Storybook serves public/ next to iframe.html (any sub-path); Vitest serves it at the root.
async function startWorker() {
  const worker = setupWorker(storyBackendsHandler);
  const inStorybook = window.location.pathname.endsWith('/iframe.html');
  await worker.start({
    quiet: true,
    serviceWorker: { url: inStorybook ? new URL('mockServiceWorker.js', window.location.href).pathname : '/mockServiceWorker.js' },
    onUnhandledRequest: 'bypass',
  });
  return worker;
}

// `data-theme` on <html> (not a wrapper), since the dialog is portaled to <body>: the way the
// README tells hosts to do it.
const withTheme: Decorator = (Story, context) => {
  const theme = context.globals.theme === 'dark' ? 'dark' : 'light';
  document.documentElement.dataset.theme = theme;
  return <Story />;
};

const msw = createPreviewAnnotations(startWorker);

const preview: Preview = {
  decorators: [withTheme],
  beforeEach: msw.beforeEach,
  globalTypes: {
    theme: {
      description: 'The default stylesheet’s theme (data-theme on <html>)',
      toolbar: {
        title: 'Theme',
        icon: 'contrast',
        items: [
          { value: 'light', title: 'Light', icon: 'sun' },
          { value: 'dark', title: 'Dark', icon: 'moon' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'light' satisfies Theme },
  parameters: {
    layout: 'padded',
    controls: { expanded: true, exclude: /^on[A-Z]/ },
    // Every story is an axe check: a violation fails its test (`npm test` runs them in light and dark).
    a11y: { test: 'error' },
    docs: { codePanel: true },
    options: {
      storySort: {
        order: ['Portal developers', 'XeroConnectionCard', 'DisconnectDialog', 'Headless'],
      },
    },
  },
};

export default preview;
