import { describe, expectTypeOf, it } from 'vitest';

import type { Tenant } from '../../src/client';
import type { NeedsReauthReason, StoredConnection, StoredOrganisationChoice, StoredTokens } from '../../src/server';

// A custom store (or a host reading one) gets each status with only what it can have.

declare const stored: StoredConnection;

describe('StoredConnection: a union on status', () => {
  it('narrows to what each status holds', () => {
    if (stored.status === 'connected') {
      expectTypeOf(stored.tenant).toEqualTypeOf<Tenant>();
      expectTypeOf(stored.needsReauthReason).toEqualTypeOf<null>();
    }
    if (stored.status === 'needs_reauth') expectTypeOf(stored.needsReauthReason).toEqualTypeOf<NeedsReauthReason>();
    if (stored.status === 'disconnected') expectTypeOf(stored.tokens).toEqualTypeOf<null>();
    if (stored.status === 'choosing_organisation') {
      expectTypeOf(stored.tokens).toEqualTypeOf<StoredTokens>();
      expectTypeOf(stored.organisationChoice).toEqualTypeOf<StoredOrganisationChoice>();
    }
  });

  it('refuses a record whose fields contradict its status', () => {
    const base = { scopes: [], connectedAt: null, connectedBy: null, lastUsedAt: null, lastRefreshedAt: null, checkedAt: '2026-12-07T00:00:00.000Z', lastError: null };
    expectTypeOf({ ...base, status: 'disconnected' as const, needsReauthReason: null, tenant: null, tokens: null }).toExtend<StoredConnection>();
    const tokens = { accessToken: 'a', accessTokenExpiresAt: 'b', refreshToken: 'c' };
    expectTypeOf({ ...base, status: 'disconnected' as const, needsReauthReason: null, tenant: null, tokens }).not.toExtend<StoredConnection>();
    expectTypeOf({ ...base, status: 'needs_reauth' as const, needsReauthReason: null, tenant: null, tokens: null }).not.toExtend<StoredConnection>();
    expectTypeOf({ ...base, status: 'choosing_organisation' as const, needsReauthReason: null, tenant: null, tokens }).not.toExtend<StoredConnection>();
  });
});
