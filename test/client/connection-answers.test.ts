import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionContractError,
  type XeroConnectionContractError,
} from '../../src/client';
import { buildConnection, CONNECTION_FIXTURE_NAMES, demoTenant } from '../../src/testing/fixtures';
import { BASE_URL, answer, endpoint, narrow, rejectionOf, setupMswServer } from './support';

// getConnection, completeCallback and verify all answer a Connection: each is tested against every
// fixture state (good answers) and against bodies that break the connection's shape (bad answers).

const server = setupMswServer();
const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });


const connectionEndpoints = [endpoint('getConnection'), endpoint('completeCallback'), endpoint('verify')];

async function contractErrorFor(target: (typeof connectionEndpoints)[number], body: Record<string, unknown> | unknown[]): Promise<XeroConnectionContractError> {
  server.use(answer(target, () => HttpResponse.json(body)));
  return narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);
}

describe.each(connectionEndpoints)('$label', (target) => {
  it.each(CONNECTION_FIXTURE_NAMES)('resolves to the %s connection exactly as the backend sent it', async (name) => {
    const connection = buildConnection(name);
    server.use(answer(target, () => HttpResponse.json(connection)));

    await expect(target.call(client)).resolves.toEqual(connection);
  });

  it('accepts a newer backend’s extra fields and drops them, at the top level and inside the tenant', async () => {
    const connection = buildConnection('connected');
    server.use(
      answer(target, () =>
        HttpResponse.json({ ...connection, billingPlan: 'pro', tenant: { ...demoTenant, shortCode: '!xk9' } }),
      ),
    );

    const result = await target.call(client);

    expect(result).toEqual(connection);
    expect(result).not.toHaveProperty('billingPlan');
    expect(result).toHaveProperty('tenant', demoTenant);
  });

  it('rejects an unknown status with a contract error naming the status field', async () => {
    const error = await contractErrorFor(target, { ...buildConnection('connected'), status: 'paused' });

    expect(error.code).toBe('CONTRACT_VIOLATION');
    expect(error.endpoint).toBe(target.label);
    expect(error.status).toBe(200);
    expect(error.retryable).toBe(false);
    const allowed = 'expected "connected" | "needs_reauth" | "disconnected" | "error" | "choosing_organisation"';
    expect(error.issues).toEqual([{ path: 'status', message: allowed }]);
    expect(error.message).toBe(`${target.label} answered 200 with a body that breaks the contract: status: ${allowed}`);
  });

  it('rejects a connected connection without a tenant, naming the tenant field', async () => {
    const withoutTenant: Record<string, unknown> = { ...buildConnection('connected') };
    delete withoutTenant.tenant;
    const error = await contractErrorFor(target, withoutTenant);

    expect(error.issues).toEqual([{ path: 'tenant', message: 'expected object' }]);
    expect(error.message).toContain(target.label);
    expect(error.message).toContain('tenant: expected object');
  });

  it('rejects a connected connection whose tenant is null', async () => {
    const error = await contractErrorFor(target, { ...buildConnection('connected'), tenant: null });

    expect(error.issues.map((issue) => issue.path)).toEqual(['tenant']);
  });

  it('rejects an empty tenant name, naming tenant.tenantName', async () => {
    const error = await contractErrorFor(target, {
      ...buildConnection('connected'),
      tenant: { ...demoTenant, tenantName: '' },
    });

    expect(error.issues).toEqual([{ path: 'tenant.tenantName', message: 'expected a non-empty string' }]);
    expect(error.message).toContain(`${target.label} answered 200`);
    expect(error.message).toContain('tenant.tenantName: expected a non-empty string');
  });

  it('rejects a tenant name of the wrong type without echoing the value', async () => {
    const error = await contractErrorFor(target, {
      ...buildConnection('connected'),
      tenant: { ...demoTenant, tenantName: 12345 },
    });

    expect(error.issues).toEqual([{ path: 'tenant.tenantName', message: 'expected string' }]);
    expect(error.message).not.toContain('12345');
  });

  it('rejects a reason that does not belong to the status, listing the allowed ones', async () => {
    const error = await contractErrorFor(target, { ...buildConnection('needsReauthExpired'), reason: 'user_disconnected' });

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('reason');
    expect(error.issues[0]?.message).toContain('"refresh_token_expired"');
  });

  it('rejects a wrong tenant type enum value, naming tenant.tenantType', async () => {
    const error = await contractErrorFor(target, {
      ...buildConnection('connected'),
      tenant: { ...demoTenant, tenantType: 'organisation' },
    });

    expect(error.issues).toEqual([{ path: 'tenant.tenantType', message: 'expected "ORGANISATION" | "PRACTICE"' }]);
  });

  it('reports every broken field, and counts the rest in the message', async () => {
    const error = await contractErrorFor(target, {
      ...buildConnection('connected'),
      checkedAt: 'yesterday',
      scopes: 'openid',
      refreshTokenLifetimeDays: 0,
    });

    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['checkedAt', 'refreshTokenLifetimeDays', 'scopes']);
    expect(error.message).toMatch(/\(and 2 more issues\)$/);
  });

  it('rejects a JSON array instead of an object', async () => {
    const error = await contractErrorFor(target, [buildConnection('connected')]);

    expect(error.issues).toEqual([{ path: '', message: 'expected object' }]);
    expect(error.message).toContain('body: expected object');
  });
});
