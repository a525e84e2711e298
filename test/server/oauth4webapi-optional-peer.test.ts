import { describe, expect, it, vi } from 'vitest';

import { XeroConnectionConfigurationError } from '../../src/server';

// oauth4webapi is an optional peer (only ./server needs it): here it is "not installed".
vi.mock('oauth4webapi', () => {
  throw new Error("Cannot find package 'oauth4webapi'");
});

const options = {
  basePath: '/api/integrations/xero-billing',
  clientId: 'id',
  clientSecret: 'secret',
  redirectUri: 'https://portal.example/api/integrations/xero-billing/callback',
  scopes: ['accounting.invoices'],
  authenticate: () => ({ userId: 'alice', canManage: true }),
};

describe('without oauth4webapi installed', () => {
  it('./server still loads, and a handler is made and answers a status read', async () => {
    const { createXeroConnectionHandler } = await import('../../src/server');
    const handler = createXeroConnectionHandler({ ...options, onError: () => {} });
    const response = await handler(new Request('https://portal.example/api/integrations/xero-billing/connection'));
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toMatchObject({ status: 'disconnected', reason: 'never_connected' });
  });

  it('the first OAuth step fails with a typed error naming what to install, told to onError and logged by the default one', async () => {
    const { createXeroConnectionHandler } = await import('../../src/server');
    const errors: unknown[] = [];
    const handler = createXeroConnectionHandler({ ...options, onError: (error) => errors.push(error) });
    const response = await handler(
      new Request('https://portal.example/api/integrations/xero-billing/connect', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://portal.example' },
        body: JSON.stringify({ returnTo: 'https://portal.example/settings', mode: 'connect' }),
      }),
    );
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(XeroConnectionConfigurationError);
    expect(String((errors[0] as Error).message)).toMatch(/optional peer dependency oauth4webapi \(3\.x\): npm install oauth4webapi@\^3\.8\.8/);

    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { logSummary } = await import('../../src/server/xero-error');
    logSummary(errors[0]);
    expect(logged.mock.calls.flat().join(' ')).toContain('npm install oauth4webapi');
    logged.mockRestore();
  });
});
