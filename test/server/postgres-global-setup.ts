import type { TestProject } from 'vitest/node';

import { startTestDatabase } from './postgres-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL database the store tests use (they make a schema each, so files can share it). */
    xeroConnectionTestDatabaseUrl: string;
    /** Why there is no database (`''` when there is one): the PostgreSQL tests fail with it. */
    xeroConnectionTestDatabaseProblem: string;
  }
}

// One PostgreSQL server for the whole run: starting a cluster takes a second or two, and every
// PostgreSQL test file can share it (each test works in its own schema). With
// XERO_CONNECTION_TEST_DATABASE_URL set, that server is used instead and nothing is started.
//
// When there is no server to be had, the PostgreSQL tests fail with the reason (never skip),
// and the project's other tests still run: the problem is handed over instead of thrown here,
// where it would stop every test of the project.
export async function setup(project: TestProject): Promise<() => void> {
  try {
    const database = await startTestDatabase();
    project.provide('xeroConnectionTestDatabaseUrl', database.connectionString);
    project.provide('xeroConnectionTestDatabaseProblem', '');
    return () => database.stop();
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    console.error(`postgresql: no test database, the PostgreSQL tests will fail.\n${problem}`);
    project.provide('xeroConnectionTestDatabaseUrl', '');
    project.provide('xeroConnectionTestDatabaseProblem', problem);
    return () => undefined;
  }
}
