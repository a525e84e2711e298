import { describe, expect, test } from 'vitest';

import { readConnectReturn, readReconnectRequest, returnToFor, withConnectOutcome, withoutConnectReturn, withReconnectRequest } from '../../src/client';

// The browser's half of the return from Xero, as plain URL work (runs in Node).

const PAGE = 'https://portal.example.com/settings/integrations';
const BILLING = '/api/integrations/xero-billing';

describe('readConnectReturn', () => {
  test.each([
    ['?xero=connected', { kind: 'connected' }],
    ['?xero=error&code=XERO_ACCESS_DENIED', { kind: 'cancelled', reason: 'consent_denied' }],
    ['?xero=error&code=CONNECT_SESSION_EXPIRED', { kind: 'failed', code: 'CONNECT_SESSION_EXPIRED' }],
    ['?xero=error&code=STATE_MISMATCH', { kind: 'failed', code: 'STATE_MISMATCH' }],
    ['?xero=error&code=XERO_TENANT_MISMATCH', { kind: 'failed', code: 'XERO_TENANT_MISMATCH' }],
    ['?xero=error&code=XERO_CONNECTION_LIMIT', { kind: 'failed', code: 'XERO_CONNECTION_LIMIT' }],
    ['?xero=error&code=SOMETHING_NEW', { kind: 'failed', code: 'INTERNAL' }],
    ['?xero=error', { kind: 'failed', code: 'INTERNAL' }],
  ])('%s', (search, outcome) => {
    expect(readConnectReturn(`${PAGE}${search}`)).toEqual({ outcome, integration: null, popup: false });
  });

  test('a URL without our parameter, or with a value that is not ours, is no return', () => {
    expect(readConnectReturn(`${PAGE}?code=SPRING24`)).toBeNull();
    expect(readConnectReturn(`${PAGE}?xero=maybe`)).toBeNull();
  });

  test('the integration and pop-up markers are read; a host code before ours does not confuse it', () => {
    const url = `${PAGE}?code=SPRING24&xeroIntegration=${encodeURIComponent(BILLING)}&xeroPopup=1&xero=error&code=STATE_MISMATCH`;
    expect(readConnectReturn(url)).toEqual({
      outcome: { kind: 'failed', code: 'STATE_MISMATCH' },
      integration: BILLING,
      popup: true,
    });
  });
});

describe('withoutConnectReturn', () => {
  test('removes our parameters and keeps every other one, in order, and the hash', () => {
    const url = `${PAGE}?tab=billing&xero=error&xeroIntegration=%2Fapi&page=2&code=XERO_ACCESS_DENIED#history`;
    expect(withoutConnectReturn(url)).toBe(`${PAGE}?tab=billing&page=2#history`);
  });

  test('a host `code` is kept: only the last one next to xero=error is ours', () => {
    expect(withoutConnectReturn(`${PAGE}?code=SPRING24&xero=error&code=STATE_MISMATCH`)).toBe(`${PAGE}?code=SPRING24`);
    expect(withoutConnectReturn(`${PAGE}?code=SPRING24&xero=connected`)).toBe(`${PAGE}?code=SPRING24`);
    expect(withoutConnectReturn(`${PAGE}?code=SPRING24`)).toBe(`${PAGE}?code=SPRING24`);
  });

  test('a URL with only our parameters loses its "?"', () => {
    expect(withoutConnectReturn(`${PAGE}?xero=connected#top`)).toBe(`${PAGE}#top`);
  });
});

describe('returnToFor and withConnectOutcome', () => {
  test('returnTo drops an earlier return and names the integration (and the pop-up)', () => {
    const returnTo = returnToFor(`${PAGE}?tab=billing&xero=connected#x`, { baseUrl: BILLING, popup: true });
    expect(returnTo).toBe(`${PAGE}?tab=billing&xeroIntegration=%2Fapi%2Fintegrations%2Fxero-billing&xeroPopup=1#x`);
    expect(readConnectReturn(returnTo)).toBeNull();
  });

  test('the outcome is added the way the backend adds it, and reads back the same', () => {
    const returnTo = returnToFor(`${PAGE}?tab=billing`, { baseUrl: BILLING, popup: false });
    for (const outcome of [
      { kind: 'connected' },
      { kind: 'cancelled', reason: 'consent_denied' },
      { kind: 'failed', code: 'XERO_TENANT_MISMATCH' },
    ] as const) {
      const back = withConnectOutcome(returnTo, outcome);
      expect(readConnectReturn(back)).toEqual({ outcome, integration: BILLING, popup: false });
      expect(withoutConnectReturn(back)).toBe(`${PAGE}?tab=billing`);
    }
  });
});

describe('withReconnectRequest and readReconnectRequest', () => {
  test('make and read a link asking to reconnect one integration, keeping the page’s own query and hash', () => {
    const link = withReconnectRequest('https://portal.example/settings/integrations?tab=xero#billing', '/api/integrations/xero-billing');
    expect(link).toBe('https://portal.example/settings/integrations?tab=xero&xero=reconnect&xeroIntegration=%2Fapi%2Fintegrations%2Fxero-billing#billing');
    expect(readReconnectRequest(link)).toEqual({ integration: '/api/integrations/xero-billing' });
    expect(readConnectReturn(link)).toBeNull();
    expect(withoutConnectReturn(link)).toBe('https://portal.example/settings/integrations?tab=xero#billing');
  });

  test('replace an earlier return’s parameters, and read nothing from a URL that is not a reconnect link', () => {
    const link = withReconnectRequest('https://portal.example/p?xero=error&code=INTERNAL&xeroIntegration=%2Fold', '/api/x');
    expect(readReconnectRequest(link)).toEqual({ integration: '/api/x' });
    expect(new URL(link).searchParams.getAll('xero')).toEqual(['reconnect']);
    expect(readReconnectRequest('https://portal.example/p?xero=connected')).toBeNull();
    expect(readReconnectRequest('https://portal.example/p?xero=reconnect')).toEqual({ integration: null });
  });
});
