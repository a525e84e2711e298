import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Set it to test against that PostgreSQL database instead of a throwaway cluster. */
export const DATABASE_URL_ENV_VAR = 'XERO_CONNECTION_TEST_DATABASE_URL';

/** What the tests get: a database they may create schemas in, and how to let go of it. */
export interface TestDatabase {
  connectionString: string;
  /** Where it came from, for the log: the environment variable or a throwaway cluster. */
  source: string;
  /** Stops and deletes a throwaway cluster; nothing for a server from the environment. Synchronous. */
  stop(): void;
}

/** What scripts/ensure-postgres.mjs exports (plain JS: typed here, where it is used). */
interface EnsurePostgresScript {
  startThrowawayCluster(options?: { log?: (line: string) => void }): Promise<{
    connectionString: string;
    version: string;
    port: number;
    directory: string;
    startedInMs: number;
    stop(): void;
  }>;
}

/**
 * The database for PostgreSQL tests: `XERO_CONNECTION_TEST_DATABASE_URL` when set, else a
 * throwaway cluster from scripts/ensure-postgres.mjs (which installs Debian's postgresql first
 * when it is missing and this runs as root). Never skips: when neither works, this throws
 * ensure-postgres's message saying what is missing.
 */
export async function startTestDatabase(log: (line: string) => void = console.log): Promise<TestDatabase> {
  const fromEnv = process.env[DATABASE_URL_ENV_VAR];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { connectionString: fromEnv, source: DATABASE_URL_ENV_VAR, stop: () => undefined };
  }
  const script = pathToFileURL(resolve(import.meta.dirname, '../../scripts/ensure-postgres.mjs')).href;
  const { startThrowawayCluster } = (await import(/* @vite-ignore */ script)) as EnsurePostgresScript;
  const cluster = await startThrowawayCluster({ log });
  log(`postgresql: throwaway cluster on 127.0.0.1:${cluster.port} in ${cluster.directory} (${cluster.version}), started in ${cluster.startedInMs} ms`);
  // Stopped on exit too: a run that ends without its teardown (an interrupted one) leaves no
  // server behind. stop() does nothing the second time.
  process.once('exit', cluster.stop);
  return {
    connectionString: cluster.connectionString,
    source: `throwaway cluster on port ${cluster.port}`,
    stop() {
      process.removeListener('exit', cluster.stop);
      cluster.stop();
    },
  };
}
