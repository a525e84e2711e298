import { describe, expectTypeOf, it } from 'vitest';

import {
  createXeroConnectionHandler,
  type XeroConnectionBackend,
  type XeroConnectionHandler,
  type XeroConnectionHandlerOptions,
  type XeroConnectionHandlerWithKeepAlive,
} from '../../src/server';

// The handler's type says what it can do: keep-alive's methods exist only on a handler made with
// `keepAlive`, so calling them on one made without is a compile error, not a runtime refusal.

declare const options: XeroConnectionHandlerOptions;
declare const maybe: boolean;

describe('createXeroConnectionHandler: keep-alive typing', () => {
  it('with keepAlive: true or its options, has refreshDueConnections and startKeepAlive', () => {
    const handler = createXeroConnectionHandler({ ...options, keepAlive: true });
    expectTypeOf(handler).toEqualTypeOf<XeroConnectionHandlerWithKeepAlive>();
    expectTypeOf(handler.refreshDueConnections).toBeFunction();
    expectTypeOf(createXeroConnectionHandler({ ...options, keepAlive: { olderThanDays: 10 } })).toHaveProperty('startKeepAlive');
  });

  it('without keepAlive (or false, or a boolean not known until run time), has neither', () => {
    const plain = createXeroConnectionHandler({ ...options, keepAlive: undefined });
    expectTypeOf(plain).toEqualTypeOf<XeroConnectionBackend>();
    expectTypeOf(plain).not.toHaveProperty('refreshDueConnections');
    expectTypeOf(plain).not.toHaveProperty('startKeepAlive');
    expectTypeOf(createXeroConnectionHandler({ ...options, keepAlive: false })).not.toHaveProperty('startKeepAlive');
    expectTypeOf(createXeroConnectionHandler({ ...options, keepAlive: maybe })).not.toHaveProperty('refreshDueConnections');
  });

  it('is always a Fetch-API handler with xeroFetch, whatever the options', () => {
    const plain = createXeroConnectionHandler(options);
    expectTypeOf(plain).toExtend<XeroConnectionHandler>();
    expectTypeOf(plain).parameters.toEqualTypeOf<[Request]>();
    expectTypeOf(plain).returns.resolves.toEqualTypeOf<Response>();
    expectTypeOf(plain.xeroFetch).toBeFunction();
    expectTypeOf(createXeroConnectionHandler({ ...options, keepAlive: true })).toExtend<XeroConnectionBackend>();
  });
});
