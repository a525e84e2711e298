import { describe, expect, it } from 'vitest';

import { codeForOAuthError, decideOrganisation, expectedTenantFor } from '../../src/contract/round-trip-rules';

// The rulebook's edges, as pure functions. Its behaviour through both backends is
// test/conformance/backend.conformance.test.ts.

const a = { tenantId: 'a' };
const b = { tenantId: 'b' };
const consent = (overrides: Partial<Parameters<typeof decideOrganisation<typeof a, typeof a>>[0]> = {}) => ({
  granted: [a, b],
  expectedTenantId: null,
  contractMinor: 1,
  previousTenant: null,
  previousDisconnected: false,
  ...overrides,
});

describe('decideOrganisation', () => {
  it('nothing granted is XERO_TENANT_NOT_FOUND, for every client', () => {
    expect(decideOrganisation(consent({ granted: [] }))).toEqual({ kind: 'fail', code: 'XERO_TENANT_NOT_FOUND' });
    expect(decideOrganisation(consent({ granted: [], contractMinor: 0 }))).toEqual({ kind: 'fail', code: 'XERO_TENANT_NOT_FOUND' });
  });

  it('one granted and nothing expected: linked, whatever the client', () => {
    expect(decideOrganisation(consent({ granted: [b] }))).toEqual({ kind: 'link', organisation: b });
  });

  it('several for a 1.0 client: the first; for 1.1: a choice naming the organisation linked before, none after a disconnect', () => {
    expect(decideOrganisation(consent({ contractMinor: 0 }))).toEqual({ kind: 'link', organisation: a });
    expect(decideOrganisation(consent({ previousTenant: a }))).toEqual({ kind: 'choose', reason: 'multiple_organisations', tenant: a, lastErrorCode: null });
    expect(decideOrganisation(consent({ previousTenant: a, previousDisconnected: true }))).toMatchObject({ kind: 'choose', tenant: null });
  });

  it('a reconnect links the expected one when granted, even among several', () => {
    expect(decideOrganisation(consent({ expectedTenantId: 'b' }))).toEqual({ kind: 'link', organisation: b });
  });

  it('a reconnect without the expected one: a mismatch to choose from (1.1), or XERO_TENANT_MISMATCH (1.0)', () => {
    const mismatch = consent({ granted: [b], expectedTenantId: 'a', previousTenant: a, previousDisconnected: true });
    expect(decideOrganisation(mismatch)).toEqual({ kind: 'choose', reason: 'organisation_mismatch', tenant: a, lastErrorCode: 'XERO_TENANT_MISMATCH' });
    expect(decideOrganisation({ ...mismatch, previousTenant: b })).toMatchObject({ tenant: null });
    expect(decideOrganisation({ ...mismatch, contractMinor: 0 })).toEqual({ kind: 'fail', code: 'XERO_TENANT_MISMATCH' });
  });
});

describe('expectedTenantFor', () => {
  it('the named one; for a reconnect naming none, the one known; for a connect, any', () => {
    expect(expectedTenantFor({ mode: 'connect', expectedTenantId: 'x' }, 'known')).toBe('x');
    expect(expectedTenantFor({ mode: 'reauth' }, 'known')).toBe('known');
    expect(expectedTenantFor({ mode: 'reauth' }, null)).toBeNull();
    expect(expectedTenantFor({ mode: 'connect' }, 'known')).toBeNull();
  });
});

describe('codeForOAuthError', () => {
  it.each([
    ['access_denied', 'XERO_ACCESS_DENIED'],
    ['invalid_grant', 'XERO_INVALID_GRANT'],
    ['invalid_client', 'XERO_INVALID_CLIENT'],
    ['unauthorized_client', 'XERO_UNAUTHORIZED_CLIENT'],
    ['invalid_scope', 'XERO_INVALID_SCOPE'],
    ['temporarily_unavailable', 'XERO_UNAVAILABLE'],
    ['server_error', 'XERO_UNAVAILABLE'],
    // Xero calls our request malformed: ours to fix, not Xero's outage.
    ['invalid_request', 'INTERNAL'],
    ['unsupported_response_type', 'INTERNAL'],
    ['something_new', 'INTERNAL'],
    ['constructor', 'INTERNAL'],
    ['__proto__', 'INTERNAL'],
  ])('%s → %s', (error, code) => {
    expect(codeForOAuthError(error)).toBe(code);
  });
});
