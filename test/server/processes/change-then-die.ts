// A backend process that is killed between a connection's change and the delivery of its event:
// it stores the connection as needs_reauth (the store records the event in the same transaction),
// says so on stdout, and hangs there until the test kills it. Nothing was delivered.
// Run by test/server/connection-events-kill.test.ts with `node --import tsx`.
import { createSqliteConnectionStore } from '../../../src/server';

interface Config {
  filename: string;
  encryptionKey: string;
  integrationKey: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const store = await createSqliteConnectionStore({ filename: config.filename, encryptionKey: config.encryptionKey });
const key = { integrationKey: config.integrationKey, accountId: 'default' };
const connection = await store.getConnection(key);
if (connection === null) throw new Error('no connection to change');
await store.putConnection(key, { ...connection, status: 'needs_reauth', tokens: null, needsReauthReason: 'refresh_token_revoked', organisationChoice: null });
console.log('CHANGE_WRITTEN');
// Hang, holding the database open, until killed.
setInterval(() => undefined, 1_000);
