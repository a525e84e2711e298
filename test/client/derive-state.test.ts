import { describe, expect, test, vi } from 'vitest';

import { XeroConnectionNetworkError } from '../../src/client';
import { DEFAULT_EXPIRING_WITHIN_DAYS, deriveConnectionState, type DeriveConnectionStateInput } from '../../src/react';
import { FIXTURE_NOW, buildConnection } from '../../src/testing/fixtures';

const DAY_MS = 86_400_000;

function input(overrides: Partial<DeriveConnectionStateInput>): DeriveConnectionStateInput {
  return {
    connection: null,
    error: null,
    isFetching: false,
    now: FIXTURE_NOW,
    expiringWithinDays: DEFAULT_EXPIRING_WITHIN_DAYS,
    retry: () => {},
    ...overrides,
  };
}

function expiringIn(msFromNow: number) {
  return buildConnection('connected', { refreshTokenExpiresAt: new Date(FIXTURE_NOW.getTime() + msFromNow).toISOString() });
}

describe('deriveConnectionState', () => {
  test('nothing known yet is loading', () => {
    expect(deriveConnectionState(input({}))).toEqual({ status: 'loading' });
  });

  test('connected with 58 days left is connected', () => {
    const connection = buildConnection('connected');
    expect(deriveConnectionState(input({ connection }))).toEqual({ status: 'connected', connection, tenant: connection.tenant });
  });

  test('connected with no known expiry stays connected', () => {
    const connection = buildConnection('connected', { refreshTokenExpiresAt: null });
    expect(deriveConnectionState(input({ connection })).status).toBe('connected');
  });

  test.each([
    ['exactly 7 days', 7 * DAY_MS, 'expiring', 7],
    ['7 days and a minute', 7 * DAY_MS + 60_000, 'connected', null],
    ['6.1 days (rounded up)', 6.1 * DAY_MS, 'expiring', 7],
    ['one hour', 3_600_000, 'expiring', 1],
    ['already past', -DAY_MS, 'expiring', 0],
  ])('%s left is %s', (_label, ms, status, days) => {
    const state = deriveConnectionState(input({ connection: expiringIn(ms) }));
    expect(state.status).toBe(status);
    if (state.status === 'expiring') {
      expect(state.expiresInDays).toBe(days);
      expect(state.expiresAt.getTime()).toBe(FIXTURE_NOW.getTime() + ms);
    }
  });

  describe('with the backend’s keep-alive (contract 1.1)', () => {
    const iso = (days: number) => new Date(FIXTURE_NOW.getTime() + days * DAY_MS).toISOString();
    const keepAlive = (nextInDays: number | null, failing = false, enabled = true) =>
      buildConnection('expiring', {
        keepAlive: { enabled, lastRefreshedAt: iso(-2), nextRefreshAt: nextInDays === null ? null : iso(nextInDays), failing },
      });

    test('5 days left but keep-alive refreshes in 1 day: connected, no warning', () => {
      expect(deriveConnectionState(input({ connection: keepAlive(1) })).status).toBe('connected');
    });

    test.each([
      ['keep-alive is failing', keepAlive(1, true)],
      ['keep-alive is off', keepAlive(1, false, false)],
      ['keep-alive will not run again', keepAlive(null)],
      ['its next run comes after the expiry', keepAlive(6)],
    ])('5 days left and %s: expiring, as without one', (_label, connection) => {
      expect(deriveConnectionState(input({ connection }))).toMatchObject({ status: 'expiring', expiresInDays: 5 });
    });
  });

  test('choosing_organisation carries the reason, the organisations and the expected organisation', () => {
    const mismatch = buildConnection('organisationMismatch');
    if (mismatch.status !== 'choosing_organisation') throw new Error('fixture');
    expect(deriveConnectionState(input({ connection: mismatch }))).toEqual({
      status: 'choosing_organisation',
      connection: mismatch,
      reason: 'organisation_mismatch',
      organisations: mismatch.organisations,
      tenant: mismatch.tenant,
    });
  });

  test('the threshold is an option', () => {
    expect(deriveConnectionState(input({ connection: expiringIn(5 * DAY_MS), expiringWithinDays: 3 })).status).toBe('connected');
    expect(deriveConnectionState(input({ connection: expiringIn(30 * DAY_MS), expiringWithinDays: 30 })).status).toBe('expiring');
  });

  test("needs_reauth carries the reason (invalid_grant is refresh_token_expired) and the organisation", () => {
    const connection = buildConnection('needsReauthExpired');
    expect(deriveConnectionState(input({ connection }))).toEqual({
      status: 'needs_reauth',
      connection,
      reason: 'refresh_token_expired',
      tenant: connection.tenant,
    });
  });

  test('disconnected carries its reason', () => {
    const connection = buildConnection('neverConnected');
    expect(deriveConnectionState(input({ connection }))).toEqual({ status: 'disconnected', connection, reason: 'never_connected' });
  });

  test("the backend's own error status is error with its reason and no client error", () => {
    const connection = buildConnection('rateLimited');
    const retry = vi.fn();
    expect(deriveConnectionState(input({ connection, retry }))).toEqual({
      status: 'error',
      error: null,
      reason: 'rate_limited',
      connection,
      retry,
    });
  });

  test('a read error wins over the last connection, which it keeps', () => {
    const connection = buildConnection('connected');
    const error = new XeroConnectionNetworkError('GET /connection', 'https://portal.example/x/connection', new TypeError('Failed to fetch'));
    const state = deriveConnectionState(input({ connection, error }));
    expect(state).toMatchObject({ status: 'error', error, reason: null, connection });
  });

  test('retrying after a read error is loading', () => {
    const error = new XeroConnectionNetworkError('GET /connection', 'https://portal.example/x/connection', null);
    expect(deriveConnectionState(input({ error, isFetching: true }))).toEqual({ status: 'loading' });
  });
});
