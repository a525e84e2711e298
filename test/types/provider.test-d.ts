import { describe, expectTypeOf, it } from 'vitest';

import { createXeroConnectionClient, XeroConnectionProvider, type XeroConnectionClient, type XeroConnectionProviderProps } from '../../src';

// `<XeroConnectionProvider>` takes a `client` or a `baseUrl`, never both and never neither: the
// props type says so, so the mistake is a compile error before it is a runtime usage error.

declare const client: XeroConnectionClient;

describe('XeroConnectionProviderProps: baseUrl xor client', () => {
  it('accepts a baseUrl alone, or a client alone', () => {
    expectTypeOf({ baseUrl: '/api/integrations/xero-billing' }).toExtend<XeroConnectionProviderProps>();
    expectTypeOf({ client }).toExtend<XeroConnectionProviderProps>();
    expectTypeOf({ client: createXeroConnectionClient({ baseUrl: '/api/x' }), mode: 'popup' as const }).toExtend<XeroConnectionProviderProps>();
  });

  it('refuses both, and neither', () => {
    expectTypeOf({ baseUrl: '/api/x', client }).not.toExtend<XeroConnectionProviderProps>();
    expectTypeOf({}).not.toExtend<XeroConnectionProviderProps>();
    expectTypeOf({ mode: 'popup' as const }).not.toExtend<XeroConnectionProviderProps>();
  });

  it('refuses a baseUrl that is not a string and a mode that does not exist', () => {
    expectTypeOf({ baseUrl: new URL('https://portal.example/api/x') }).not.toExtend<XeroConnectionProviderProps>();
    expectTypeOf({ baseUrl: '/api/x', mode: 'iframe' as const }).not.toExtend<XeroConnectionProviderProps>();
    expectTypeOf({ baseUrl: '/api/x', popupFallback: 'redirect' as const }).toExtend<XeroConnectionProviderProps>();
  });

  it('is what the component takes', () => {
    expectTypeOf(XeroConnectionProvider).parameter(0).toEqualTypeOf<XeroConnectionProviderProps>();
    // A direct call the way JSX makes it: both sources is an error there too.
    // @ts-expect-error client and baseUrl together
    XeroConnectionProvider({ baseUrl: '/api/x', client });
  });
});
