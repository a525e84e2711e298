import { afterEach, describe, expect, it } from 'vitest';

import type {
  CompletedIdempotencyRecord,
  ConnectionKey,
  ConnectionStore,
  ConnectSession,
  DueConnection,
  DueConnectionQuery,
  IdempotencyKeyId,
  IdempotencyRecord,
  PendingIdempotencyRecord,
  StoredConnection,
  StoredConnectionFields,
  StoredTokens,
} from '../../src/server';

/** A store under test and how to dispose of it. */
export interface StoreUnderTest {
  store: ConnectionStore;
  close?: () => void | Promise<void>;
}

export const KEY: ConnectionKey = { integrationKey: '/api/integrations/xero-billing', accountId: 'account-1' };

/** A connected record, or (with `status` and its fields overridden) one of another status. */
export function connectedRecord(overrides: Partial<StoredConnectionFields> & Partial<Pick<StoredConnection, 'status' | 'needsReauthReason' | 'organisationChoice'>> = {}): StoredConnection {
  return {
    status: 'connected',
    needsReauthReason: null,
    tenant: { tenantId: 'tenant-1', tenantName: 'Sunrise Care Group', tenantType: 'ORGANISATION', connectionId: 'connection-1' },
    scopes: ['offline_access', 'accounting.invoices'],
    tokens: {
      accessToken: 'access-token-SECRET-1234567890',
      accessTokenExpiresAt: '2026-11-26T10:00:00.000Z',
      refreshToken: 'refresh-token-SECRET-0987654321',
    },
    connectedAt: '2026-11-26T09:30:00.000Z',
    connectedBy: { userId: 'alice', displayName: 'Alice Émile "A" O\'Neil' },
    lastUsedAt: '2026-11-26T09:30:00.000Z',
    lastRefreshedAt: '2026-11-26T09:30:00.000Z',
    checkedAt: '2026-11-26T09:30:00.000Z',
    lastError: null,
    ...overrides,
  } as StoredConnection;
}

/** Tokens a refresh issued, as refresher.ts stores them (without the kept previous token). */
export function rotatedTokens(): StoredTokens {
  return { accessToken: 'access-token-SECRET-rotated', accessTokenExpiresAt: '2026-11-26T10:30:00.000Z', refreshToken: 'refresh-token-SECRET-rotated' };
}

export function connectSession(state: string, overrides: Partial<ConnectSession> = {}): ConnectSession {
  return {
    state,
    key: KEY,
    userId: 'alice',
    displayName: 'User alice',
    codeVerifier: `verifier-SECRET-${state}`,
    returnTo: 'https://portal.example/settings/integrations?tab=xero',
    mode: 'connect',
    expectedTenantId: null,
    expiresAt: '2026-11-26T09:40:00.000Z',
    ...overrides,
  };
}

/**
 * What every {@link ConnectionStore} must do, run against each implementation. `open` makes a
 * fresh, empty store.
 */
/** The limits a store under test is opened with (each store's own option names). */
export interface StoreLimits {
  maxConnectSessions?: number;
  maxIdempotencyRecords?: number;
}

export const IDEMPOTENCY_ID: IdempotencyKeyId = { ...KEY, userId: 'alice', route: 'POST /connect', key: '0f6c2f9e-6a53-4c1e-9a57-2b8e1f4c7d10' };

export function pendingRecord(createdAt = '2026-11-26T09:30:00.000Z', overrides: Partial<PendingIdempotencyRecord> = {}): PendingIdempotencyRecord {
  return { state: 'in_progress', fingerprint: 'a'.repeat(64), createdAt, expiresAt: new Date(Date.parse(createdAt) + 120_000).toISOString(), ...overrides };
}

export function completedRecord(createdAt = '2026-11-26T09:30:00.000Z'): CompletedIdempotencyRecord {
  return {
    state: 'done',
    fingerprint: 'a'.repeat(64),
    createdAt,
    expiresAt: new Date(Date.parse(createdAt) + 86_400_000).toISOString(),
    reply: {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-contract-version': '1.1' },
      body: '{"authorizeUrl":"https://login.xero.com/identity/connect/authorize?state=s1","state":"s1","expiresAt":"2026-11-26T09:40:00.000Z"}',
    },
  };
}

export function describeConnectionStoreContract(
  name: string,
  open: (options: StoreLimits) => StoreUnderTest | Promise<StoreUnderTest>,
): void {
  describe(`ConnectionStore contract: ${name}`, () => {
    const opened: StoreUnderTest[] = [];
    afterEach(async () => {
      for (const entry of opened.splice(0)) await entry.close?.();
    });
    async function fresh(options: StoreLimits = {}): Promise<ConnectionStore> {
      const entry = await open(options);
      opened.push(entry);
      return entry.store;
    }

    it('has no record for a never-connected key', async () => {
      const store = await fresh();
      await expect(store.getConnection(KEY)).resolves.toBeNull();
    });

    it('reads back what was put, field for field', async () => {
      const store = await fresh();
      const record = connectedRecord({
        lastError: { code: 'XERO_RATE_LIMITED', message: 'slow down', at: '2026-11-26T09:31:00.000Z' },
      });
      await store.putConnection(KEY, record);
      await expect(store.getConnection(KEY)).resolves.toEqual(record);
    });

    it('keeps a record without tokens (dead grant, removed connection)', async () => {
      const store = await fresh();
      const record = connectedRecord({ status: 'needs_reauth', needsReauthReason: 'refresh_token_expired', tokens: null });
      await store.putConnection(KEY, record);
      await expect(store.getConnection(KEY)).resolves.toEqual(record);
    });

    it('replaces the record on put (a rotated refresh token wins)', async () => {
      const store = await fresh();
      await store.putConnection(KEY, connectedRecord());
      const rotated = connectedRecord({
        tokens: { accessToken: 'access-2', accessTokenExpiresAt: '2026-11-26T10:30:00.000Z', refreshToken: 'refresh-2' },
        lastRefreshedAt: '2026-11-26T10:00:00.000Z',
      });
      await store.putConnection(KEY, rotated);
      await expect(store.getConnection(KEY)).resolves.toEqual(rotated);
    });

    it('reads back the refresh token kept from the last refresh, and when it was spent', async () => {
      const store = await fresh();
      const record = connectedRecord({ tokens: { ...rotatedTokens(), previousRefreshToken: 'refresh-token-SECRET-previous', previousRefreshTokenSpentAt: '2026-11-26T09:59:30.000Z' } });
      await store.putConnection(KEY, record);
      await expect(store.getConnection(KEY)).resolves.toEqual(record);
      // The next refresh keeps another; a record without one (a new grant) keeps none.
      const next = connectedRecord({ tokens: { ...rotatedTokens(), previousRefreshToken: 'refresh-token-SECRET-next', previousRefreshTokenSpentAt: '2026-11-26T10:29:30.000Z' } });
      await store.putConnection(KEY, next);
      await expect(store.getConnection(KEY)).resolves.toEqual(next);
      await store.putConnection(KEY, connectedRecord());
      const reconnected = await store.getConnection(KEY);
      expect(reconnected).toEqual(connectedRecord());
      expect(reconnected?.tokens).not.toHaveProperty('previousRefreshToken');
      expect(reconnected?.tokens).not.toHaveProperty('previousRefreshTokenSpentAt');
    });

    it('keeps no previous refresh token once the grant is dead', async () => {
      const store = await fresh();
      await store.putConnection(KEY, connectedRecord({ tokens: { ...rotatedTokens(), previousRefreshToken: 'refresh-token-SECRET-previous', previousRefreshTokenSpentAt: '2026-11-26T09:59:30.000Z' } }));
      const dead = connectedRecord({ status: 'needs_reauth', needsReauthReason: 'refresh_token_revoked', tokens: null });
      await store.putConnection(KEY, dead);
      await expect(store.getConnection(KEY)).resolves.toEqual(dead);
    });

    it('keeps keys apart, including look-alike ones', async () => {
      const store = await fresh();
      const keys: ConnectionKey[] = [
        KEY,
        { integrationKey: KEY.integrationKey, accountId: 'account-2' },
        { integrationKey: '/api/integrations/xero-payroll', accountId: KEY.accountId },
        { integrationKey: 'a","b', accountId: 'c' },
        { integrationKey: 'a', accountId: 'b","c' },
      ];
      for (const [index, key] of keys.entries()) {
        await store.putConnection(key, connectedRecord({ scopes: [`scope-${index}`] }));
      }
      for (const [index, key] of keys.entries()) {
        await expect(store.getConnection(key)).resolves.toMatchObject({ scopes: [`scope-${index}`] });
      }
    });

    it('hands out copies: changing a read or a put object changes nothing stored', async () => {
      const store = await fresh();
      const record = connectedRecord();
      await store.putConnection(KEY, record);
      record.status = 'disconnected';
      record.scopes.push('mutated');
      const read = await store.getConnection(KEY);
      expect(read).toEqual(connectedRecord());
      if (read?.tokens) read.tokens.refreshToken = 'mutated';
      await expect(store.getConnection(KEY)).resolves.toEqual(connectedRecord());
    });

    it('reads back a choosing_organisation record with its organisations, and keep-alive state', async () => {
      const store = await fresh();
      const second = { tenantId: 'tenant-2', tenantName: 'Harbour View Homes', tenantType: 'PRACTICE' as const, connectionId: 'connection-2' };
      const choosing = connectedRecord({
        status: 'choosing_organisation',
        organisationChoice: { reason: 'multiple_organisations', organisations: [connectedRecord().tenant ?? second, second] },
        keepAlive: { lastRefreshedAt: '2026-11-20T09:30:00.000Z', failing: true },
      });
      await store.putConnection(KEY, choosing);
      await expect(store.getConnection(KEY)).resolves.toEqual(choosing);
    });

    it('lists due connections: this integration, connected with tokens, refresh token issued before the cut-off, oldest first', async () => {
      const store = await fresh();
      expect(store.listDueConnections).toBeTypeOf('function');
      const list = (query: DueConnectionQuery): Promise<DueConnection[]> => {
        if (store.listDueConnections === undefined) throw new Error('no listDueConnections');
        return store.listDueConnections(query);
      };
      const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T09:30:00.000Z`;
      const other = '/api/integrations/xero-payroll';
      const records: [ConnectionKey, StoredConnection][] = [
        [{ ...KEY, accountId: 'due-newer' }, connectedRecord({ lastRefreshedAt: at(10) })],
        [{ ...KEY, accountId: 'due-older' }, connectedRecord({ lastRefreshedAt: at(2) })],
        [{ ...KEY, accountId: 'due-never-refreshed' }, connectedRecord({ lastRefreshedAt: null, connectedAt: at(5) })],
        [{ ...KEY, accountId: 'fresh' }, connectedRecord({ lastRefreshedAt: at(20) })],
        [{ ...KEY, accountId: 'at-cut-off' }, connectedRecord({ lastRefreshedAt: at(15) })],
        [{ ...KEY, accountId: 'dead' }, connectedRecord({ status: 'needs_reauth', needsReauthReason: 'refresh_token_expired', tokens: null, lastRefreshedAt: at(1) })],
        [{ ...KEY, accountId: 'gone' }, connectedRecord({ status: 'disconnected', tenant: null, tokens: null, lastRefreshedAt: at(1) })],
        [{ ...KEY, accountId: 'choosing' }, connectedRecord({ status: 'choosing_organisation', organisationChoice: { reason: 'multiple_organisations', organisations: [] }, lastRefreshedAt: at(1) })],
        [{ integrationKey: other, accountId: 'due-older' }, connectedRecord({ lastRefreshedAt: at(1) })],
      ];
      for (const [key, record] of records) await store.putConnection(key, record);

      const due = await list({ integrationKey: KEY.integrationKey, issuedBefore: at(15) });
      expect(due).toEqual([
        { key: { ...KEY, accountId: 'due-older' }, refreshTokenIssuedAt: at(2), tenantId: 'tenant-1' },
        { key: { ...KEY, accountId: 'due-never-refreshed' }, refreshTokenIssuedAt: at(5), tenantId: 'tenant-1' },
        { key: { ...KEY, accountId: 'due-newer' }, refreshTokenIssuedAt: at(10), tenantId: 'tenant-1' },
      ]);
      await expect(list({ integrationKey: other, issuedBefore: at(15) })).resolves.toHaveLength(1);
      // A refresh moves a connection out of the list.
      await store.putConnection({ ...KEY, accountId: 'due-older' }, connectedRecord({ lastRefreshedAt: at(25) }));
      await expect(list({ integrationKey: KEY.integrationKey, issuedBefore: at(15) })).resolves.toHaveLength(2);
    });

    it('lists due connections a page at a time: every one exactly once, in order, ties on the same instant included', async () => {
      const store = await fresh();
      const list = (query: DueConnectionQuery): Promise<DueConnection[]> => {
        if (store.listDueConnections === undefined) throw new Error('no listDueConnections');
        return store.listDueConnections(query);
      };
      const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T09:30:00.000Z`;
      // Seven due (three refreshed at the same instant), one not due.
      const days = [3, 1, 3, 2, 3, 5, 4, 20];
      for (const [index, day] of days.entries()) {
        await store.putConnection({ ...KEY, accountId: `account-${index}` }, connectedRecord({ lastRefreshedAt: at(day) }));
      }
      const query = { integrationKey: KEY.integrationKey, issuedBefore: at(15) };
      const whole = await list(query);
      expect(whole).toHaveLength(7);
      for (const size of [1, 2, 3, 7, 50]) {
        const paged: DueConnection[] = [];
        for (let page = await list({ ...query, limit: size }); page.length > 0; ) {
          expect(page.length).toBeLessThanOrEqual(size);
          paged.push(...page);
          const last = page[page.length - 1];
          if (last === undefined || page.length < size) break;
          page = await list({ ...query, limit: size, after: { refreshTokenIssuedAt: last.refreshTokenIssuedAt, accountId: last.key.accountId } });
        }
        expect(paged, `pages of ${size}`).toEqual(whole);
      }
    });

    it('takes a connect session once, with every field', async () => {
      const store = await fresh();
      const session = connectSession('state-1', { mode: 'reauth', expectedTenantId: 'tenant-1', contractMinor: 1 });
      await store.putConnectSession(session);
      await expect(store.takeConnectSession('state-1')).resolves.toEqual(session);
      await expect(store.takeConnectSession('state-1')).resolves.toBeNull();
    });

    it('answers null for an unknown state and leaves other sessions alone', async () => {
      const store = await fresh();
      await store.putConnectSession(connectSession('state-1'));
      await expect(store.takeConnectSession('state-unknown')).resolves.toBeNull();
      await expect(store.takeConnectSession('state-1')).resolves.toMatchObject({ state: 'state-1' });
    });

    it('gives a state to exactly one of many concurrent takers', async () => {
      const store = await fresh();
      await store.putConnectSession(connectSession('state-race'));
      const taken = await Promise.all(Array.from({ length: 20 }, () => store.takeConnectSession('state-race')));
      expect(taken.filter((session) => session !== null)).toHaveLength(1);
    });

    it('drops the oldest sessions past maxConnectSessions', async () => {
      const store = await fresh({ maxConnectSessions: 3 });
      for (const index of [1, 2, 3, 4, 5]) await store.putConnectSession(connectSession(`state-${index}`));
      await expect(store.takeConnectSession('state-1')).resolves.toBeNull();
      await expect(store.takeConnectSession('state-2')).resolves.toBeNull();
      for (const index of [3, 4, 5]) await expect(store.takeConnectSession(`state-${index}`)).resolves.toMatchObject({ state: `state-${index}` });
    });

    describe('bounded connect sessions (startConnectSession)', () => {
      const NOW = '2026-11-26T09:30:00.000Z';
      const limits = { perUser: 2, perAccount: 3, now: NOW };
      function start(store: ConnectionStore) {
        const { startConnectSession } = store;
        if (startConnectSession === undefined) throw new Error('the store cannot bound connect sessions');
        return startConnectSession.bind(store);
      }
      const other = { ...KEY, accountId: 'harbour-view' };

      it('refuses a user past perUser and an account past perAccount, saying until when', async () => {
        const store = start(await fresh());
        await expect(store(connectSession('a1', { expiresAt: '2026-11-26T09:38:00.000Z' }), limits)).resolves.toEqual({ stored: true });
        await expect(store(connectSession('a2'), limits)).resolves.toEqual({ stored: true });
        await expect(store(connectSession('a3'), limits)).resolves.toEqual({ stored: false, limit: 'user', retryAt: '2026-11-26T09:38:00.000Z' });
        await expect(store(connectSession('b1', { userId: 'bob' }), limits)).resolves.toEqual({ stored: true });
        await expect(store(connectSession('b2', { userId: 'bob' }), limits)).resolves.toEqual({ stored: false, limit: 'account', retryAt: '2026-11-26T09:38:00.000Z' });
        // Refused means not stored.
        await expect((await fresh()).takeConnectSession('a3')).resolves.toBeNull();
      });

      it('never drops another account’s pending session to make room: its round trip still finishes', async () => {
        const raw = await fresh({ maxConnectSessions: 4 });
        const store = start(raw);
        await expect(store(connectSession('theirs', { key: other }), limits)).resolves.toEqual({ stored: true });
        for (const user of ['u1', 'u2', 'u3']) await store(connectSession(`mine-${user}`, { userId: user }), limits);
        // The store is full: the fifth is refused, not stored in place of the other account's.
        await expect(store(connectSession('one-more', { key: { ...KEY, accountId: 'third' } }), limits)).resolves.toMatchObject({ stored: false, limit: 'store' });
        await expect(raw.takeConnectSession('theirs')).resolves.toMatchObject({ state: 'theirs' });
      });

      it('drops expired sessions first, so they count against nobody', async () => {
        const raw = await fresh();
        const store = start(raw);
        await store(connectSession('old-1', { expiresAt: '2026-11-26T09:20:00.000Z' }), { ...limits, now: '2026-11-26T09:10:00.000Z' });
        await store(connectSession('old-2', { expiresAt: '2026-11-26T09:20:00.000Z' }), { ...limits, now: '2026-11-26T09:10:00.000Z' });
        await expect(store(connectSession('new'), limits)).resolves.toEqual({ stored: true });
        await expect(raw.takeConnectSession('old-1')).resolves.toBeNull();
        await expect(raw.takeConnectSession('new')).resolves.toMatchObject({ state: 'new' });
      });
    });

    describe('Idempotency-Key records', () => {
      type Records = Required<Pick<ConnectionStore, 'claimIdempotencyKey' | 'completeIdempotencyKey' | 'releaseIdempotencyKey'>>;
      function records(store: ConnectionStore): Records {
        const { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } = store;
        if (claimIdempotencyKey === undefined || completeIdempotencyKey === undefined || releaseIdempotencyKey === undefined) {
          throw new Error('the store has no Idempotency-Key records');
        }
        return { claimIdempotencyKey: claimIdempotencyKey.bind(store), completeIdempotencyKey: completeIdempotencyKey.bind(store), releaseIdempotencyKey: releaseIdempotencyKey.bind(store) };
      }

      it('claims a key once; a second claim gets the record in progress', async () => {
        const store = records(await fresh());
        await expect(store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord())).resolves.toBeNull();
        await expect(store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord('2026-11-26T09:30:01.000Z'))).resolves.toEqual(pendingRecord());
      });

      it('reads back a completed record field for field, and releases one so the key may act again', async () => {
        const store = records(await fresh());
        await store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord());
        await store.completeIdempotencyKey(IDEMPOTENCY_ID, completedRecord());
        await expect(store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord('2026-11-27T09:29:59.000Z'))).resolves.toEqual(completedRecord());
        await store.releaseIdempotencyKey(IDEMPOTENCY_ID);
        await expect(store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord('2026-11-27T09:29:59.000Z'))).resolves.toBeNull();
      });

      it('forgets a record once it expires: a claim from then on acts again', async () => {
        const store = records(await fresh());
        await store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord());
        await store.completeIdempotencyKey(IDEMPOTENCY_ID, completedRecord());
        await expect(store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord('2026-11-27T09:30:00.000Z'))).resolves.toBeNull();
        // A claim whose request never finished lapses after its lease, not after a day.
        await expect(store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord('2026-11-27T09:32:00.000Z'))).resolves.toBeNull();
      });

      it('keeps keys apart by integration, account, user, route and key, look-alikes included', async () => {
        const store = records(await fresh());
        const ids: IdempotencyKeyId[] = [
          IDEMPOTENCY_ID,
          { ...IDEMPOTENCY_ID, integrationKey: '/api/integrations/xero-payroll' },
          { ...IDEMPOTENCY_ID, accountId: 'account-2' },
          { ...IDEMPOTENCY_ID, userId: 'bob' },
          { ...IDEMPOTENCY_ID, route: 'DELETE /connection' },
          { ...IDEMPOTENCY_ID, key: 'another-key' },
          { ...IDEMPOTENCY_ID, userId: 'a","b', route: 'c' },
          { ...IDEMPOTENCY_ID, userId: 'a', route: 'b","c' },
        ];
        for (const id of ids) await expect(store.claimIdempotencyKey(id, pendingRecord())).resolves.toBeNull();
      });

      it('gives a key to exactly one of many concurrent claims', async () => {
        const store = records(await fresh());
        const claims = await Promise.all(Array.from({ length: 20 }, () => store.claimIdempotencyKey(IDEMPOTENCY_ID, pendingRecord())));
        expect(claims.filter((claim) => claim === null)).toHaveLength(1);
      });

      it('drops the oldest records past maxIdempotencyRecords', async () => {
        const store = records(await fresh({ maxIdempotencyRecords: 3 }));
        const id = (index: number): IdempotencyKeyId => ({ ...IDEMPOTENCY_ID, key: `key-${index}` });
        for (const index of [1, 2, 3, 4, 5]) await store.claimIdempotencyKey(id(index), pendingRecord());
        const kept: (IdempotencyRecord | null)[] = [];
        for (const index of [3, 4, 5]) kept.push(await store.claimIdempotencyKey(id(index), pendingRecord()));
        expect(kept).toEqual([pendingRecord(), pendingRecord(), pendingRecord()]);
        await expect(store.claimIdempotencyKey(id(1), pendingRecord())).resolves.toBeNull();
      });
    });
  });
}
