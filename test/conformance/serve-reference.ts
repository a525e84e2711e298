import { createServer } from 'node:http';

import { createXeroConnectionHandler, toNodeListener } from '../../src/server';

// A backend by URL for the conformance suite, as a backend in another language would be set up:
// the reference handler on a port, configured against the Xero emulator the suite starts. It
// proves the suite's URL target and shows what a backend author configures (docs/contract.md,
// "Run the conformance suite against your backend"):
//
//   npx tsx test/conformance/serve-reference.ts &
//   XERO_CONNECTION_CONFORMANCE_URL=http://127.0.0.1:4471/api/integrations/xero-billing \
//   XERO_CONNECTION_CONFORMANCE_ADMIN_HEADERS='{"cookie":"session=admin"}' \
//   XERO_CONNECTION_CONFORMANCE_VIEWER_HEADERS='{"cookie":"session=viewer"}' \
//   npx vitest run --project node test/conformance

const port = Number(process.env.PORT ?? 4471);
const emulator = `http://127.0.0.1:${process.env.XERO_CONNECTION_CONFORMANCE_EMULATOR_PORT ?? 4470}`;
const basePath = '/api/integrations/xero-billing';
const origin = `http://127.0.0.1:${port}`;

const handler = createXeroConnectionHandler({
  basePath,
  clientId: 'conformance-client',
  clientSecret: 'conformance-secret',
  redirectUri: `${origin}${basePath}/callback`,
  scopes: ['accounting.invoices'],
  endpoints: {
    authorizationEndpoint: `${emulator}/identity/connect/authorize`,
    tokenEndpoint: `${emulator}/connect/token`,
    revocationEndpoint: `${emulator}/connect/revocation`,
    connectionsUrl: `${emulator}/connections`,
    issuer: emulator,
    apiBaseUrl: emulator,
  },
  // The session: `session=admin` may manage, `session=viewer` may read.
  authenticate: (request) => {
    const session = /(?:^|;\s*)session=(admin|viewer)\b/.exec(request.headers.get('cookie') ?? '')?.[1];
    return session === undefined ? null : { userId: session, canManage: session === 'admin' };
  },
});

createServer(toNodeListener(handler, { origin })).listen(port, '127.0.0.1', () => {
  console.log(`reference backend at ${origin}${basePath}, Xero at ${emulator}`);
});
