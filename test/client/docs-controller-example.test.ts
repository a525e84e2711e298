import { readFile } from 'node:fs/promises';

import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

import * as lib from '../../src/client';
import { createFakeXeroBackend } from '../../src/testing/fake-backend';
import { buildConnection } from '../../src/testing/fixtures';

// docs/client.md's plain-page example, run as written: its import becomes the source entry, and
// the page around it (a location, a button, analytics) is the least a browser would give it.

const PAGE = 'https://portal.example/settings/integrations';
const backend = createFakeXeroBackend({
  baseUrl: new URL('/api/integrations/xero-billing', PAGE).href,
  initial: buildConnection('needsReauthExpired'),
});
const server = setupServer(...backend.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => {
  server.close();
  vi.unstubAllGlobals();
});

async function documentedExample(): Promise<string> {
  const markdown = await readFile(new URL('../../docs/client.md', import.meta.url), 'utf8');
  const section = markdown.slice(markdown.indexOf('## Without React'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('docs/client.md has no js example under "Without React"');
  const importLine = /^import \{([^}]*)\} from '@carevision\/xero-connection\/client';$/m;
  expect(code).toMatch(importLine);
  return code.replace(importLine, 'const {$1} = lib;');
}

describe('docs/client.md: the controller without React', () => {
  test('the example shows Reconnect on needs_reauth, and a click disconnects and goes to Xero', async () => {
    const assign = vi.fn<(url: string) => void>();
    const location = { href: PAGE, origin: 'https://portal.example', assign };
    const noop = () => {};
    vi.stubGlobal('location', location);
    vi.stubGlobal('window', {
      location,
      history: { state: null, replaceState: noop },
      addEventListener: noop,
      removeEventListener: noop,
    });
    let click: () => void = noop;
    const button = {
      hidden: true,
      disabled: false,
      addEventListener: (_type: string, listener: () => void) => {
        click = listener;
      },
    };
    // msw reads document.cookie whenever a document exists.
    vi.stubGlobal('document', { querySelector: () => button, visibilityState: 'visible', cookie: '' });
    const analytics = { track: vi.fn() };

    const run = new Function('lib', 'document', 'analytics', await documentedExample()) as (...args: unknown[]) => void;
    run(lib, document, analytics);

    await vi.waitFor(() => expect(button.hidden).toBe(false));
    click();
    // Pending at once, so a second click starts nothing.
    expect(button.disabled).toBe(true);
    await vi.waitFor(() => expect(assign).toHaveBeenCalledTimes(1));

    expect(backend.requestsTo('disconnect')).toHaveLength(1);
    expect(backend.requestsTo('connect')[0]?.body).toMatchObject({ mode: 'reauth' });
    expect(assign.mock.calls[0]?.[0]).toMatch(/^https:\/\/login\.xero\.test\//);
    // Still reconnecting until the page is left for Xero: the button stays disabled meanwhile.
    expect(button.disabled).toBe(true);
    expect(analytics.track.mock.calls.map(([type]) => type as string)).toEqual(
      expect.arrayContaining(['status_viewed', 'reconnect_started', 'disconnected', 'connect_started']),
    );
  });
});
