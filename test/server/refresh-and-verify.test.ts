import { describe, expect, it } from 'vitest';

import { MINUTE_MS, readProblem, setup } from './support';

describe('refresh', () => {
  it('GET /connection refreshes a stale access token once and stores the rotated refresh token', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.advance(31 * MINUTE_MS);
    const connection = await client().getConnection();
    expect(connection).toMatchObject({ status: 'connected', lastRefreshedAt: emulator.now().toISOString() });
    expect(emulator.tokenCalls('refresh_token')).toBe(1);
    // The next refresh uses the rotated token: the spent one would be invalid_grant.
    emulator.advance(31 * MINUTE_MS);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'connected' });
    expect(emulator.tokenCalls('refresh_token')).toBe(2);
  });

  it('GET /connection makes no Xero call while the access token is fresh', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    const before = emulator.requests.length;
    await client().getConnection();
    expect(emulator.requests.length).toBe(before);
  });

  it('100 concurrent reads and verifies at the moment of expiry make exactly one refresh call', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.advance(30 * MINUTE_MS);
    const calls = Array.from({ length: 100 }, (_, index) => (index % 2 === 0 ? client().getConnection() : client('viewer').verify()));
    const answers = await Promise.all(calls);
    expect(answers.every((answer) => answer.status === 'connected')).toBe(true);
    expect(emulator.tokenCalls('refresh_token')).toBe(1);
  });

  it('a refresh token unused past its lifetime turns into needs_reauth / refresh_token_expired on verify', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.advanceDays(61);
    const connection = await client().verify();
    expect(connection).toMatchObject({
      status: 'needs_reauth',
      reason: 'refresh_token_expired',
      tenant: { tenantName: 'Sunrise Care Group' },
      refreshTokenExpiresAt: null,
      lastError: { code: 'XERO_INVALID_GRANT' },
    });
    // Stored: the next read reports it without asking Xero again.
    const calls = emulator.requests.length;
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth' });
    expect(emulator.requests.length).toBe(calls);
  });

  it('invalid_grant well inside the lifetime is a revoke, not an expiry: needs_reauth / refresh_token_revoked', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    // Xero answers the same bare invalid_grant for both; only the token's age tells them apart.
    emulator.revokeAll();
    emulator.advanceDays(7);
    await expect(client().getConnection()).resolves.toMatchObject({
      status: 'needs_reauth',
      reason: 'refresh_token_revoked',
      lastError: { code: 'XERO_INVALID_GRANT' },
    });
  });

  it('invalid_grant at the end of the lifetime is an expiry, even a little early by our clock', async () => {
    const { connectThroughXero, client, emulator } = await setup({ refreshTokenLifetimeDays: 30 });
    await connectThroughXero();
    // The emulator's tokens live 60 days: Xero (or an old setting) may differ from our lifetime,
    // and a token unused past the configured lifetime is called expired whatever the cause.
    emulator.revokeAll();
    emulator.advanceDays(31);
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth', reason: 'refresh_token_expired' });
  });

  it('regular use slides the window: refreshing every 50 days keeps the connection alive', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    for (let round = 0; round < 3; round += 1) {
      emulator.advanceDays(50);
      await expect(client().verify()).resolves.toMatchObject({ status: 'connected' });
    }
  });

  it('a rate-limited refresh answers XERO_RATE_LIMITED with retryAfterSeconds on verify, and status error on read', async () => {
    const { connectThroughXero, client, request, emulator } = await setup();
    await connectThroughXero();
    emulator.advance(31 * MINUTE_MS);
    emulator.failNext('/connect/token', { status: 429, retryAfterSeconds: 42 });
    const response = await request('/connection/verify', { method: 'POST' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('42');
    expect(await readProblem(response)).toMatchObject({ code: 'XERO_RATE_LIMITED', retryAfterSeconds: 42 });

    emulator.failNext('/connect/token', { status: 429, retryAfterSeconds: 42 });
    await expect(client().getConnection()).resolves.toMatchObject({ status: 'error', reason: 'rate_limited', tenant: { tenantName: 'Sunrise Care Group' } });
    // Nothing was spent: the next try refreshes with the same token.
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected' });
  });

  it('the typed client sees the rate limit as a retryable error with retryAfterSeconds', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.failNext('/connections', { status: 429, retryAfterSeconds: 7 });
    await expect(client().verify()).rejects.toMatchObject({ code: 'XERO_RATE_LIMITED', retryable: true, retryAfterSeconds: 7 });
  });

  it('Xero down answers XERO_UNAVAILABLE on verify', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.failNext('/connections', { status: 503 });
    await expect(client().verify()).rejects.toMatchObject({ code: 'XERO_UNAVAILABLE', status: 503 });
  });
});

describe('POST /connection/verify', () => {
  it('confirms the tenant is still listed', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.advance(5 * MINUTE_MS);
    await expect(client().verify()).resolves.toMatchObject({ status: 'connected', checkedAt: emulator.now().toISOString() });
    expect(emulator.requests.filter((entry) => entry.path === '/connections').length).toBeGreaterThanOrEqual(2);
  });

  it('notices the app was removed in Xero: needs_reauth / tenant_removed_in_xero', async () => {
    const { connectThroughXero, client, emulator } = await setup();
    await connectThroughXero();
    emulator.removeApp(emulator.organisations[0]?.tenantId ?? '');
    await expect(client().verify()).resolves.toMatchObject({
      status: 'needs_reauth',
      reason: 'tenant_removed_in_xero',
      tenant: { tenantName: 'Sunrise Care Group' },
      lastError: { code: 'XERO_TENANT_NOT_FOUND' },
    });
  });

  it('reports never_connected without calling Xero', async () => {
    const { client, emulator } = await setup();
    await expect(client().verify()).resolves.toMatchObject({ status: 'disconnected', reason: 'never_connected' });
    expect(emulator.requests).toEqual([]);
  });
});
