import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll } from 'vitest';

import { createMemoryConnectionStore, createSqliteConnectionStore } from '../../src/server';
import { describeConnectionStoreContract } from './store-contract';

const KEY_HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const directory = mkdtempSync(join(tmpdir(), 'xero-store-contract-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

describeConnectionStoreContract('memory', (options) => ({ store: createMemoryConnectionStore(options) }));

describeConnectionStoreContract('SQLite :memory:', async (options) => {
  const store = await createSqliteConnectionStore({ filename: ':memory:', encryptionKey: KEY_HEX, ...options });
  return { store, close: () => store.close() };
});

describeConnectionStoreContract('SQLite file', async (options) => {
  files += 1;
  const store = await createSqliteConnectionStore({ filename: join(directory, `contract-${files}.db`), encryptionKey: KEY_HEX, ...options });
  return { store, close: () => store.close() };
});
