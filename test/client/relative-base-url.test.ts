// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://portal.example/settings/integrations"}
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { createXeroConnectionClient } from '../../src/client';
import { buildConnection } from '../../src/testing/fixtures';
import { answer, connectAnswer, endpoint, setupMswServer } from './support';

// In a page, a path resolves against the page's location. The handlers listen on the absolute
// URLs under https://portal.example, so a request resolved anywhere else would be unhandled.

const server = setupMswServer();

describe('a relative base URL in a page', () => {
  it('is the page we think it is', () => {
    expect(location.href).toBe('https://portal.example/settings/integrations');
  });

  it('resolves /api/integrations/xero-billing against the page’s origin', async () => {
    const client = createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing' });

    await expect(client.getConnection()).resolves.toEqual(buildConnection('connected'));
  });

  it('resolves with a trailing slash too', async () => {
    const client = createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing/' });

    await expect(client.disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: true });
  });

  it('sends a relative returnTo as an absolute URL on the page’s origin', async () => {
    let received: unknown;
    server.use(
      answer(endpoint('connect'), async ({ request }) => {
        received = await request.json();
        return HttpResponse.json(connectAnswer);
      }),
    );
    const client = createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing' });

    await expect(client.connect({ returnTo: '/settings/integrations?tab=xero', mode: 'connect' })).resolves.toEqual(connectAnswer);
    expect(received).toEqual({ returnTo: 'https://portal.example/settings/integrations?tab=xero', mode: 'connect' });
  });
});
