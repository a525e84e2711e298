import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { consumerDir, consumerWithoutOAuthDir } from './consumer';

// oauth4webapi is `./server`'s optional peer, like pg and better-sqlite3: a browser install (the
// card, the hook, `./client`, `./testing`) does not pull it. This runs the packed tarball in a copy
// of the consumer without it.

async function nodeWithoutOAuth(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('node', args, { cwd: consumerWithoutOAuthDir(), encoding: 'utf8', timeout: 30_000 });
  return stdout;
}

const HANDLER_OPTIONS = `{
  basePath: '/api/xero',
  clientId: 'id',
  clientSecret: 'secret',
  redirectUri: 'https://portal.example/api/xero/callback',
  scopes: ['accounting.invoices'],
  authenticate: () => ({ userId: 'alice', canManage: true }),
  onError: (error) => seen.push(String(error && error.message)),
}`;

// Everything a host can observe when it uses ./server without the peer: a failed import, a thrown
// error, what reaches onError, and the answer to a round trip that needs OAuth.
const USE_SERVER = (load: string) => `
  const seen = [];
  try {
    ${load}
    const handler = createXeroConnectionHandler(${HANDLER_OPTIONS});
    const started = await handler(new Request('https://portal.example/api/xero/connect', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnTo: 'https://portal.example/settings', mode: 'connect' }),
    }));
    seen.push('answered ' + started.status);
  } catch (error) {
    seen.push(String(error && error.message));
  }
  console.log(JSON.stringify(seen));
`;

describe('oauth4webapi, ./server’s optional peer', () => {
  it('is an optional peer of the packed package, not a dependency', () => {
    const manifest = JSON.parse(readFileSync(join(consumerDir(), 'node_modules/@carevision/xero-connection/package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(manifest.dependencies ?? {}).not.toHaveProperty('oauth4webapi');
    expect(manifest.peerDependencies).toHaveProperty('oauth4webapi');
    expect(manifest.peerDependenciesMeta?.oauth4webapi).toEqual({ optional: true });
  });

  it('./client and ./testing load without it (ESM and CJS)', async () => {
    const esm = await nodeWithoutOAuth([
      '--input-type=module',
      '-e',
      `const client = await import('@carevision/xero-connection/client');
       const testing = await import('@carevision/xero-connection/testing');
       console.log(JSON.stringify([typeof client.createXeroConnectionClient, typeof testing.createFakeXeroBackend]));`,
    ]);
    expect(JSON.parse(esm)).toEqual(['function', 'function']);
    const cjs = await nodeWithoutOAuth([
      '-e',
      `console.log(JSON.stringify([typeof require('@carevision/xero-connection/client').createXeroConnectionClient, typeof require('@carevision/xero-connection/testing').createFakeXeroBackend]));`,
    ]);
    expect(JSON.parse(cjs)).toEqual(['function', 'function']);
  });

  // The message must say what to install: ./server loads it lazily, like pg and better-sqlite3, so
  // importing ./server works and the first OAuth step tells onError "npm install oauth4webapi@^3.8.8".
  it('./server without it names the missing package (ESM)', async () => {
    const out = await nodeWithoutOAuth(['--input-type=module', '-e', USE_SERVER("const { createXeroConnectionHandler } = await import('@carevision/xero-connection/server');")]);
    const seen = JSON.parse(out) as string[];
    expect(seen.join('\n')).toMatch(/npm install oauth4webapi@\^3/);
  });

  it('./server without it names the missing package (CJS)', async () => {
    const out = await nodeWithoutOAuth(['-e', `(async () => { ${USE_SERVER("const { createXeroConnectionHandler } = require('@carevision/xero-connection/server');")} })();`]);
    const seen = JSON.parse(out) as string[];
    expect(seen.join('\n')).toMatch(/npm install oauth4webapi@\^3/);
  });
});
