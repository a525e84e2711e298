import { describe, expectTypeOf, it } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionApiError,
  isXeroConnectionError,
  isXeroReconnectProblem,
  isXeroRetryLaterProblem,
  readXeroProblem,
  type Connection,
  type ConnectionReason,
  type ConnectionStatus,
  type Tenant,
  type XeroConnectionApiError,
  type XeroConnectionClient,
  type XeroConnectionError,
  type XeroConnectionErrorCode,
  type XeroReconnectCode,
  type XeroRetryLaterCode,
} from '../../src/client';
import type { ConnectResponse, DisconnectResponse, ErrorCode, Problem } from '../../src/contract';
import { buildConnection, createFakeXeroBackend, type ConnectionFixtureName } from '../../src/testing';

// `./client` (and the same names from `.`): the contract's union on `status`, the client's
// methods, and the guards hosts narrow errors with.

declare const connection: Connection;
declare const caught: unknown;

describe('Connection narrows on status', () => {
  it('has the five statuses', () => {
    expectTypeOf<ConnectionStatus>().toEqualTypeOf<'connected' | 'needs_reauth' | 'disconnected' | 'error' | 'choosing_organisation'>();
    expectTypeOf<Connection['status']>().toEqualTypeOf<ConnectionStatus>();
  });

  it('gives each status only its reasons, and says when there is a tenant', () => {
    if (connection.status === 'connected') {
      expectTypeOf(connection.reason).toEqualTypeOf<null>();
      expectTypeOf(connection.tenant).toEqualTypeOf<Tenant>();
    }
    if (connection.status === 'needs_reauth') {
      expectTypeOf(connection.reason).toEqualTypeOf<'refresh_token_expired' | 'refresh_token_revoked' | 'tenant_removed_in_xero'>();
      expectTypeOf(connection.tenant).toEqualTypeOf<Tenant | null>();
    }
    if (connection.status === 'disconnected') {
      expectTypeOf(connection.reason).toEqualTypeOf<'user_disconnected' | 'never_connected' | null>();
      expectTypeOf(connection.tenant).toEqualTypeOf<null>();
    }
    if (connection.status === 'error') expectTypeOf(connection.reason).toEqualTypeOf<'rate_limited' | 'xero_unavailable' | null>();
    if (connection.status === 'choosing_organisation') {
      expectTypeOf(connection.reason).toEqualTypeOf<'multiple_organisations' | 'organisation_mismatch'>();
      expectTypeOf(connection.organisations).toEqualTypeOf<Tenant[]>();
    }
    expectTypeOf<NonNullable<Connection['reason']>>().toEqualTypeOf<ConnectionReason>();
  });

  it('says which fields may be null, and that keepAlive may be absent', () => {
    expectTypeOf(connection.checkedAt).toEqualTypeOf<string>();
    expectTypeOf(connection.connectedAt).toEqualTypeOf<string | null>();
    expectTypeOf(connection.refreshTokenLifetimeDays).toEqualTypeOf<number>();
    expectTypeOf(connection).toHaveProperty('keepAlive');
    expectTypeOf<undefined>().toExtend<Connection['keepAlive']>();
    expectTypeOf<Required<Pick<Connection, 'keepAlive'>>['keepAlive']>().toHaveProperty('failing');
  });
});

describe('createXeroConnectionClient', () => {
  it('needs a baseUrl and refuses unknown options', () => {
    expectTypeOf(createXeroConnectionClient).parameter(0).toHaveProperty('baseUrl').toEqualTypeOf<string>();
    // @ts-expect-error baseUrl is required
    createXeroConnectionClient({});
    // @ts-expect-error no such option
    createXeroConnectionClient({ baseUrl: '/api/x', retries: 3 });
    expectTypeOf(createXeroConnectionClient({ baseUrl: '/api/x', retry: false })).toEqualTypeOf<XeroConnectionClient>();
  });

  it('answers the contract types', () => {
    const client = createXeroConnectionClient({ baseUrl: '/api/x' });
    expectTypeOf(client.getConnection).returns.resolves.toEqualTypeOf<Connection>();
    expectTypeOf(client.verify).returns.resolves.toEqualTypeOf<Connection>();
    expectTypeOf(client.disconnect).returns.resolves.toEqualTypeOf<DisconnectResponse>();
    expectTypeOf(client.connect).returns.resolves.toEqualTypeOf<ConnectResponse>();
    expectTypeOf(client.connect).parameter(0).toExtend<{ returnTo: string; mode: 'connect' | 'reauth' }>();
    expectTypeOf<{ tenantId: string }>().toExtend<Parameters<XeroConnectionClient['chooseOrganisation']>[0]>();
    // @ts-expect-error the tenant id goes in a body
    void client.chooseOrganisation('tenant-1');
  });
});

describe('error guards narrow', () => {
  it('to the client error classes', () => {
    if (isXeroConnectionError(caught)) expectTypeOf(caught.code).toEqualTypeOf<XeroConnectionErrorCode>();
    if (isXeroConnectionApiError(caught)) {
      expectTypeOf(caught).toEqualTypeOf<XeroConnectionApiError>();
      expectTypeOf(caught.code).toEqualTypeOf<ErrorCode>();
      expectTypeOf(caught.retryAfterSeconds).toEqualTypeOf<number | null>();
    }
    expectTypeOf<XeroConnectionApiError>().toExtend<XeroConnectionError>();
  });

  it('to the problem kinds an export route answers', async () => {
    if (isXeroReconnectProblem(caught)) expectTypeOf(caught.code).toEqualTypeOf<XeroReconnectCode>();
    if (isXeroRetryLaterProblem(caught)) expectTypeOf(caught.code).toEqualTypeOf<XeroRetryLaterCode>();
    expectTypeOf<XeroReconnectCode>().toEqualTypeOf<'XERO_INVALID_GRANT' | 'XERO_TENANT_NOT_FOUND' | 'XERO_TENANT_MISMATCH'>();
    expectTypeOf<XeroRetryLaterCode>().toEqualTypeOf<'XERO_RATE_LIMITED' | 'XERO_UNAVAILABLE'>();
    expectTypeOf(await readXeroProblem(new Response())).toEqualTypeOf<Problem | null>();
  });
});

describe('./testing', () => {
  it('builds connections by fixture name and fakes a backend', () => {
    expectTypeOf(buildConnection).parameter(0).toEqualTypeOf<ConnectionFixtureName>();
    expectTypeOf(buildConnection('connected')).toExtend<Connection>();
    // @ts-expect-error no such fixture
    buildConnection('connectd');
    const backend = createFakeXeroBackend({ baseUrl: 'https://portal.example/api/x' });
    expectTypeOf(backend.getConnection()).toEqualTypeOf<Connection>();
    // @ts-expect-error a route name, not a path
    backend.failNext('/connection', 'INTERNAL');
    // @ts-expect-error not an error code
    backend.failNext('getConnection', 'EXPLODED');
  });
});

// ./server's handler type (keep-alive methods only when `keepAlive` is given): server-handler.test-d.ts.
