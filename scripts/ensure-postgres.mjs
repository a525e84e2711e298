// The PostgreSQL store is tested against a real server: Debian's PostgreSQL, in a throwaway
// cluster (initdb in a temp dir, a free loopback port), never the system cluster. Finds the
// binaries, or installs Debian's package when running as root, or says exactly what is missing.
//
//   node scripts/ensure-postgres.mjs     checks (and if need be installs) the binaries
//
// The vitest global setup (test/server/postgres-global-setup.ts) imports startThrowawayCluster().
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DEBIAN_ROOT = '/usr/lib/postgresql';
const NEEDED = ['initdb', 'pg_ctl', 'postgres', 'createdb'];
const DATABASE = 'xero_connection_test';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const hasAll = (dir) => NEEDED.every((name) => existsSync(join(dir, name)));

/** The directory with initdb, pg_ctl, postgres and createdb, or `null`. The newest Debian version wins. */
export function findPostgresBinDir() {
  if (process.env.POSTGRES_BINDIR) return hasAll(process.env.POSTGRES_BINDIR) ? process.env.POSTGRES_BINDIR : null;
  if (existsSync(DEBIAN_ROOT)) {
    const versions = readdirSync(DEBIAN_ROOT)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = join(DEBIAN_ROOT, version, 'bin');
      if (hasAll(dir)) return dir;
    }
  }
  // Elsewhere (Homebrew, other distributions), pg_config on the PATH knows.
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (hasAll(dir)) return dir;
  } catch {
    // no pg_config: not installed
  }
  return null;
}

function version(binDir) {
  try {
    return execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'version unknown';
  }
}

/**
 * The binaries' directory. When they are missing and this runs as root with apt-get, installs
 * Debian's postgresql package; otherwise throws an Error saying what to install.
 */
export function ensurePostgresBinaries({ log = console.log } = {}) {
  const found = findPostgresBinDir();
  if (found) return found;

  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot() || !hasApt || process.env.POSTGRES_BINDIR) {
    throw new Error(
      `PostgreSQL store tests need PostgreSQL's server programs (${NEEDED.join(', ')}), and they are not there` +
        (process.env.POSTGRES_BINDIR ? ` (POSTGRES_BINDIR=${process.env.POSTGRES_BINDIR}).\n` : '.\n') +
        (hasApt
          ? "Install Debian's package as root: apt-get update && apt-get install -y postgresql\n"
          : "Install PostgreSQL with your system's package manager.\n") +
        'Or point POSTGRES_BINDIR at the directory holding them, or set XERO_CONNECTION_TEST_DATABASE_URL ' +
        'to a PostgreSQL database the tests may create schemas in.',
    );
  }

  log("postgresql: not found; installing Debian's postgresql package (apt-get, about 30 s)…");
  if (!existsSync('/usr/bin/pg_createcluster')) {
    // On a first install Debian creates and starts a system cluster ('main', port 5432). The tests
    // never use it (each run makes its own), so it is switched off before postgresql-common reads
    // its settings; an existing installation's settings are left alone.
    mkdirSync('/etc/postgresql-common/createcluster.d', { recursive: true });
    writeFileSync('/etc/postgresql-common/createcluster.d/xero-connection-tests.conf', 'create_main_cluster = false\n');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'inherit', env });
  const installed = findPostgresBinDir();
  if (!installed) throw new Error(`apt-get finished but PostgreSQL's programs are still missing under ${DEBIAN_ROOT}/*/bin.`);
  log(`postgresql: installed ${installed} (${version(installed)})`);
  return installed;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function postgresUser() {
  try {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      'PostgreSQL refuses to run as root, and there is no `postgres` user to run the test cluster as. ' +
        "Install Debian's postgresql package (it creates the user), or run the tests as another user.",
    );
  }
}

/**
 * Starts a throwaway cluster: initdb into a new temp directory (as the `postgres` user when this
 * runs as root: PostgreSQL refuses root), a random password, pg_ctl on a free 127.0.0.1 port with
 * its socket in that directory, and a database `xero_connection_test`. Durability is switched off
 * (fsync, synchronous_commit, full_page_writes): nothing here outlives the run.
 *
 * Returns `{ connectionString, binDir, version, port, directory, startedInMs, stop() }`; `stop()`
 * (synchronous, so it also works in an exit handler) stops the server and deletes the directory.
 */
export async function startThrowawayCluster({ log = () => undefined } = {}) {
  const began = performance.now();
  const binDir = ensurePostgresBinaries({ log });
  const owner = isRoot() ? postgresUser() : null;
  const directory = mkdtempSync(join(tmpdir(), 'xero-connection-pg-'));
  if (owner) chownSync(directory, owner.uid, owner.gid);
  const dataDir = join(directory, 'data');
  const logFile = join(directory, 'postgres.log');
  const password = randomBytes(18).toString('base64url');

  const run = (program, args, options = {}) => {
    const file = join(binDir, program);
    const [command, argv] = owner ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
    return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  };
  const failure = (what, error) => {
    const output = [error?.stdout, error?.stderr].filter(Boolean).join('\n').trim();
    const serverLog = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n') : '';
    return new Error(`PostgreSQL test cluster: ${what} failed.\n${output}${serverLog ? `\n--- ${logFile} ---\n${serverLog}` : ''}`, { cause: error });
  };

  let running = false;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      // immediate: nothing to keep, and a fast stop even with clients still connected.
      if (running) run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  };

  try {
    const pwfile = join(directory, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    try {
      run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync']);
    } catch (error) {
      throw failure('initdb', error);
    } finally {
      rmSync(pwfile, { force: true });
    }

    // A free port can be taken between the probe and the server's bind: then another try.
    let port = 0;
    for (let attempt = 1; !running; attempt += 1) {
      port = await freePort();
      const settings = [
        '-c listen_addresses=127.0.0.1',
        `-p ${port}`,
        `-c unix_socket_directories='${directory}'`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ');
      try {
        run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', settings, 'start']);
        running = true;
      } catch (error) {
        const bindFailed = existsSync(logFile) && /could not bind|Address already in use/i.test(readFileSync(logFile, 'utf8'));
        if (!bindFailed || attempt >= 3) throw failure('pg_ctl start', error);
      }
    }

    try {
      execFileSync(join(binDir, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', DATABASE], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PGPASSWORD: password },
      });
    } catch (error) {
      throw failure('createdb', error);
    }

    return {
      connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE}`,
      binDir,
      version: version(binDir),
      port,
      directory,
      startedInMs: Math.round(performance.now() - began),
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  try {
    const binDir = ensurePostgresBinaries();
    console.log(`postgresql: ${binDir} (${version(binDir)})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
