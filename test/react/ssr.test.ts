import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, test } from 'vitest';

import { XeroConnectionProvider, useXeroConnection } from '../../src/react';

// Runs in the node project: no window, document or location, as in a server render.

function Status() {
  const { state, isDisconnecting } = useXeroConnection();
  return createElement('output', { 'data-state': state.status, 'data-busy': String(isDisconnecting) }, state.status);
}

describe('server rendering', () => {
  test('there is no window here', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    expect(typeof location).toBe('undefined');
  });

  test('the provider and hook render the loading state without touching the browser', () => {
    const html = renderToString(
      createElement(XeroConnectionProvider, { baseUrl: '/api/integrations/xero-billing' }, createElement(Status)),
    );
    expect(html).toBe('<output data-state="loading" data-busy="false">loading</output>');
  });

  test('the React entry imports without a browser', async () => {
    const entry = await import('../../src/react');
    expect(typeof entry.useXeroConnection).toBe('function');
  });

  test("the React entry is marked 'use client'", async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../src/react/index.ts', import.meta.url), 'utf8');
    expect(source.split('\n')[0]).toBe("'use client';");
  });
});
