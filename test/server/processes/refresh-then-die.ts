// A backend process that is killed between Xero's answer to a refresh and the store write: it
// reads the connection (whose access token is stale, so it refreshes), lets Xero answer (Xero has
// rotated the refresh token then), says so on stdout, and hangs there until the test kills it.
// Run by test/server/process-kill.test.ts with `node --import tsx`.
import { createSqliteConnectionStore, createXeroConnectionHandler, type XeroEndpoints } from '../../../src/server';

interface Config {
  filename: string;
  encryptionKey: string;
  basePath: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  endpoints: XeroEndpoints;
  /** The emulator's (frozen) time. */
  now: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const store = await createSqliteConnectionStore({ filename: config.filename, encryptionKey: config.encryptionKey });
const handler = createXeroConnectionHandler({
  basePath: config.basePath,
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  redirectUri: config.redirectUri,
  scopes: ['accounting.invoices'],
  endpoints: config.endpoints,
  store,
  clock: () => new Date(config.now),
  authenticate: () => ({ userId: 'alice', canManage: true }),
  fetch: async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const body = init?.body instanceof URLSearchParams ? init.body.toString() : String(init?.body ?? '');
    if (body.includes('grant_type=refresh_token')) {
      await response.clone().text(); // Xero has answered: the old refresh token is spent
      process.stdout.write('XERO_ANSWERED\n');
      await new Promise(() => undefined); // the store write never comes
    }
    return response;
  },
});
await handler(new Request(`https://portal.example${config.basePath}/connection`));
process.stdout.write('NOT_KILLED\n');
