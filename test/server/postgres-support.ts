import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';

import { startTestDatabase, type TestDatabase } from './postgres-cluster';

/** The advisory lock class of the store's connection locks ('xero' in ASCII), as pg_locks shows it. */
export const LOCK_CLASS_ID = 0x7865726f;

/** A file's PostgreSQL: a database URL, pools that are ended after the file, schemas that are dropped. */
export interface PostgresForTests {
  url(): string;
  /** A pool for the test's own SQL (raw reads, pg_locks). */
  admin(): pg.Pool;
  /** A new pool on the test database; ended after the test (ending it earlier is fine). */
  pool(config?: pg.PoolConfig): pg.Pool;
  /** A new, unused schema name (dropped after the file): each store under test gets its own tables. */
  schema(): string;
}

/**
 * Registers the file's beforeAll / afterAll. The database comes from the vitest global setup
 * (postgres-global-setup.ts). When a config runs this file without that setup, the file starts a
 * throwaway cluster itself rather than skip: a PostgreSQL test never passes without PostgreSQL.
 */
export function postgresForThisFile(): PostgresForTests {
  let url: string | undefined;
  let own: TestDatabase | undefined;
  let admin: pg.Pool | undefined;
  const pools: pg.Pool[] = [];
  const schemas: string[] = [];
  const prefix = `t${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    const problem = inject('xeroConnectionTestDatabaseProblem') as string | undefined;
    if (problem !== undefined && problem !== '') throw new Error(`No PostgreSQL for these tests.\n${problem}`);
    // The type says string; without the global setup it is undefined at run time.
    url = inject('xeroConnectionTestDatabaseUrl') as string | undefined;
    if (url === undefined || url === '') {
      own = await startTestDatabase((line) => console.info(line));
      console.info('postgresql: test/server/postgres-global-setup.ts is not in this vitest project: this file started its own server.');
      url = own.connectionString;
    }
    admin = new pg.Pool({ connectionString: url, max: 4 });
    await admin.query('SELECT 1');
  }, 300_000); // a first run may install Debian's postgresql package

  // Each test's pools are ended after it: idle connections of finished tests would add up
  // towards the server's max_connections.
  const endPools = () => Promise.all(pools.splice(0).map((pool) => (pool.ended ? undefined : pool.end())));
  afterEach(endPools);

  afterAll(async () => {
    try {
      await endPools();
      if (admin !== undefined) {
        for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
      await admin?.end();
    } finally {
      own?.stop();
    }
  });

  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('PostgreSQL is not set up: postgresForThisFile() must be called at the top of the test file');
    return value;
  };

  return {
    url: () => need(url),
    admin: () => need(admin),
    pool(config = {}) {
      const pool = new pg.Pool({ connectionString: need(url), max: 5, ...config });
      pools.push(pool);
      return pool;
    },
    schema() {
      const schema = `${prefix}_${schemas.length + 1}`;
      schemas.push(schema);
      return schema;
    },
  };
}
