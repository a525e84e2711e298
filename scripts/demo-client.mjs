// `npm start` before the live demo exists: a tiny contract backend on loopback whose Xero token has
// gone unused past its lifetime, and the built `./client` walking the help page's recovery path
// against it. Plain Node, no React: the same client a portal's browser code uses.
import { createServer } from 'node:http';

import { buildConnection, buildProblem } from '../src/testing/fixtures.ts';
import {
  createXeroConnectionClient,
  isXeroConnectionContractError,
} from '../dist/client.js';

let connection = buildConnection('needsReauthExpired', {}, new Date());

const server = createServer(async (request, response) => {
  const send = (status, body, type = 'application/json') => {
    response.writeHead(status, { 'content-type': type, 'x-xero-connection-contract': '1.0' });
    response.end(JSON.stringify(body));
  };
  const path = new URL(request.url, 'http://localhost').pathname.replace('/api/integrations/xero-billing', '');
  if (request.method === 'GET' && path === '/connection') return send(200, connection);
  if (request.method === 'DELETE' && path === '/connection') {
    connection = buildConnection('disconnected', {}, new Date());
    return send(200, { status: 'disconnected', remoteRemoved: false });
  }
  if (request.method === 'POST' && path === '/connect') {
    return send(200, {
      authorizeUrl: 'http://127.0.0.1/identity/connect/authorize?response_type=code&state=demo',
      state: 'demo',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
  }
  if (request.method === 'POST' && path === '/connection/verify') return send(200, { ...connection, status: 'sideways' });
  send(404, buildProblem('VALIDATION_FAILED', { detail: `no route ${request.method} ${path}` }), 'application/problem+json');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}/api/integrations/xero-billing`;
const client = createXeroConnectionClient({ baseUrl });
const step = (text) => console.log(`\n▸ ${text}`);

console.log(`Contract backend for "Xero Billing" on ${baseUrl}`);
step('GET /connection');
const before = await client.getConnection();
console.log(`  status=${before.status} reason=${before.reason} organisation=${before.tenant?.tenantName}`);
console.log(`  Xero answered invalid_grant: unused for ${before.refreshTokenLifetimeDays} days.`);
step('Disconnect my account → Yes (DELETE /connection, with an Idempotency-Key)');
const result = await client.disconnect();
console.log(`  ${result.status}; remoteRemoved=${result.remoteRemoved} → "Also remove the app in Xero: Settings › Connected apps"`);
step('GET /connection');
const after = await client.getConnection();
console.log(`  status=${after.status} reason=${after.reason}`);
step('Set up Xero Billing again (POST /connect)');
const { authorizeUrl } = await client.connect({ returnTo: 'http://127.0.0.1/settings/integrations', mode: 'connect' });
console.log(`  the browser would now go to ${authorizeUrl}`);
step('A backend that breaks the contract (POST /connection/verify answers status "sideways")');
try {
  await client.verify();
} catch (error) {
  console.log(`  ${error.name}: ${error.message}`);
  console.log(`  typed: ${isXeroConnectionContractError(error)}; issues=${JSON.stringify(error.issues)}`);
}
server.close();
