import { describe, expectTypeOf, it } from 'vitest';

import {
  useXeroConnection,
  type ConnectedConnection,
  type Connection,
  type Tenant,
  type UseXeroConnectionOptions,
  type UseXeroConnectionResult,
  type XeroConnectionError,
  type XeroConnectionEvent,
  type XeroConnectionState,
  type XeroConnectionStateStatus,
} from '../../src';

// The hook's state is a union on `status`: narrowing on it gives each state exactly its fields, so
// a custom UI cannot read a tenant that a state does not have.

declare const state: XeroConnectionState;

describe('useXeroConnection', () => {
  it('returns its result type, state included', () => {
    expectTypeOf(useXeroConnection).returns.toEqualTypeOf<UseXeroConnectionResult>();
    expectTypeOf<UseXeroConnectionResult['state']>().toEqualTypeOf<XeroConnectionState>();
    expectTypeOf<UseXeroConnectionResult['connection']>().toEqualTypeOf<Connection | null>();
    expectTypeOf<{ canManage: false; expiringWithinDays: 3 }>().toExtend<UseXeroConnectionOptions>();
    expectTypeOf<{ mode: 'iframe' }>().not.toExtend<UseXeroConnectionOptions>();
  });

  it('has the seven statuses', () => {
    expectTypeOf<XeroConnectionStateStatus>().toEqualTypeOf<
      'loading' | 'connected' | 'expiring' | 'needs_reauth' | 'choosing_organisation' | 'disconnected' | 'error'
    >();
  });
});

describe('XeroConnectionState narrows on status', () => {
  it('loading has nothing else', () => {
    if (state.status === 'loading') expectTypeOf(state).toEqualTypeOf<{ status: 'loading' }>();
  });

  it('connected and expiring always have a tenant; expiring says when', () => {
    if (state.status === 'connected') {
      expectTypeOf(state.tenant).toEqualTypeOf<Tenant>();
      expectTypeOf(state.connection).toEqualTypeOf<ConnectedConnection>();
      expectTypeOf(state.connection.reason).toEqualTypeOf<null>();
    }
    if (state.status === 'expiring') {
      expectTypeOf(state.tenant).toEqualTypeOf<Tenant>();
      expectTypeOf(state.expiresInDays).toEqualTypeOf<number>();
      expectTypeOf(state.expiresAt).toEqualTypeOf<Date>();
    }
  });

  it('needs_reauth has its own reasons and a tenant when known', () => {
    if (state.status === 'needs_reauth') {
      expectTypeOf(state.reason).toEqualTypeOf<'refresh_token_expired' | 'refresh_token_revoked' | 'tenant_removed_in_xero'>();
      expectTypeOf(state.tenant).toEqualTypeOf<Tenant | null>();
      expectTypeOf(state.connection.status).toEqualTypeOf<'needs_reauth'>();
    }
  });

  it('choosing_organisation lists the organisations', () => {
    if (state.status === 'choosing_organisation') {
      expectTypeOf(state.reason).toEqualTypeOf<'multiple_organisations' | 'organisation_mismatch'>();
      expectTypeOf(state.organisations).toEqualTypeOf<Tenant[]>();
      expectTypeOf(state.tenant).toEqualTypeOf<Tenant | null>();
    }
  });

  it('disconnected has a reason or null, and no tenant', () => {
    if (state.status === 'disconnected') {
      expectTypeOf(state.reason).toEqualTypeOf<'user_disconnected' | 'never_connected' | null>();
      expectTypeOf(state).not.toHaveProperty('tenant');
    }
  });

  it('error has the client error or the backend reason, and a retry', () => {
    if (state.status === 'error') {
      expectTypeOf(state.error).toEqualTypeOf<XeroConnectionError | null>();
      expectTypeOf(state.reason).toEqualTypeOf<'rate_limited' | 'xero_unavailable' | null>();
      expectTypeOf(state.connection).toEqualTypeOf<Connection | null>();
      expectTypeOf(state.retry).toEqualTypeOf<() => void>();
    }
  });

  it('a switch over every status is exhaustive', () => {
    const label = (current: XeroConnectionState): string => {
      switch (current.status) {
        case 'loading':
        case 'connected':
        case 'expiring':
        case 'needs_reauth':
        case 'choosing_organisation':
        case 'disconnected':
        case 'error':
          return current.status;
        default:
          return current satisfies never;
      }
    };
    expectTypeOf(label).returns.toEqualTypeOf<string>();
  });

  it('only a connected-like state has a tenant without a null check', () => {
    // @ts-expect-error `tenant` does not exist on every state
    void state.tenant;
  });
});

describe('XeroConnectionEvent', () => {
  it('narrows on type; none carries a token', () => {
    const seen = (event: XeroConnectionEvent): void => {
      if (event.type === 'connected') expectTypeOf(event.tenant).toEqualTypeOf<Tenant>();
      if (event.type === 'disconnected') expectTypeOf(event.remoteRemoved).toEqualTypeOf<boolean>();
      if (event.type === 'connect_cancelled') expectTypeOf(event.reason).toEqualTypeOf<'consent_denied' | 'popup_closed'>();
      if (event.type === 'verified') expectTypeOf(event.status).toEqualTypeOf<XeroConnectionStateStatus>();
    };
    expectTypeOf(seen).parameter(0).toEqualTypeOf<XeroConnectionEvent>();
    expectTypeOf<XeroConnectionEvent>().not.toHaveProperty('accessToken');
  });
});
