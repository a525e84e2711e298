import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, test, vi } from 'vitest';

import { XeroConnectionCard } from '../../src/components/xero-connection-card';
import { XeroConnectionProvider } from '../../src/react';

// Server rendering (Next.js, Remix): the card renders its loading state without touching
// `window`, `document` or the network. React.createElement, because the node project runs
// `*.test.ts` files only.

describe('server rendering', () => {
  test('renderToString of the provider and a card shows the loading state and makes no request', () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    expect(typeof window).toBe('undefined');

    const html = renderToString(
      createElement(
        XeroConnectionProvider,
        { baseUrl: '/api/integrations/xero-billing' },
        createElement(XeroConnectionCard, { title: 'Xero Billing', className: 'portal-card' }),
      ),
    );

    expect(html).toContain('Checking the connection to Xero Billing…');
    expect(html).toContain('data-slot="xero-connection-card"');
    expect(html).toContain('data-state="loading"');
    expect(html).toContain('aria-busy="true"');
    expect(html).toContain('role="status"');
    expect(html).toContain('class="portal-card"');
    expect(html).not.toContain('<button');
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });
});
