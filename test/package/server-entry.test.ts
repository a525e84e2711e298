import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `./server` as a host's backend meets it: the packed tarball in a throwaway project WITHOUT
// React, imported from plain Node through both module systems, answering a request.

const root = resolve(import.meta.dirname, '../..');
let workDir: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function runNode(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('node', args, { cwd: workDir, encoding: 'utf8', timeout: 30_000 });
  return stdout;
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'xero-connection-server-'));
  run('npm', ['pack', '--pack-destination', workDir, '--silent'], root);
  const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  writeFileSync(join(workDir, 'package.json'), JSON.stringify({ name: 'host-backend', private: true }));
  run('npm', ['install', `./${tarball}`, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], workDir);
}, 180_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const SCRIPT = (load: string) => `
  ${load}
  const handler = createXeroConnectionHandler({
    basePath: '/api/xero',
    clientId: 'id',
    clientSecret: 'secret',
    redirectUri: 'https://portal.example/api/xero/callback',
    scopes: ['accounting.invoices'],
    authenticate: (request) => (request.headers.get('x-user') ? { userId: 'alice', canManage: true } : null),
  });
  const read = await handler(new Request('https://portal.example/api/xero/connection', { headers: { 'x-user': 'alice' } }));
  const anonymous = await handler(new Request('https://portal.example/api/xero/connection'));
  const started = await handler(new Request('https://portal.example/api/xero/connect', {
    method: 'POST', headers: { 'x-user': 'alice', 'content-type': 'application/json' }, body: JSON.stringify({ returnTo: 'https://portal.example/settings', mode: 'connect' }),
  }));
  console.log(JSON.stringify({
    read: [read.status, read.headers.get('x-xero-connection-contract'), (await read.json()).reason],
    anonymous: [anonymous.status, anonymous.headers.get('content-type')],
    authorize: new URL((await started.json()).authorizeUrl).origin,
    listener: typeof toNodeListener,
  }));
`;

const EXPECTED = {
  read: [200, '1.0', 'never_connected'],
  anonymous: [401, 'application/problem+json'],
  authorize: 'https://login.xero.com',
  listener: 'function',
};

describe('the packed ./server entry', () => {
  it('installs without React and ships no emulator', () => {
    expect(() => run('node', ['-e', "require.resolve('react')"], workDir)).toThrow();
    const files = readdirSync(join(workDir, 'node_modules/@carevision/xero-connection/dist'));
    expect(files.some((name) => name.includes('emulator'))).toBe(false);
  });

  it('answers requests (ESM)', async () => {
    const out = await runNode([
      '--input-type=module',
      '-e',
      SCRIPT("import { createXeroConnectionHandler, toNodeListener } from '@carevision/xero-connection/server';"),
    ]);
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });

  it('answers requests (CJS)', async () => {
    const out = await runNode([
      '-e',
      `(async () => { ${SCRIPT("const { createXeroConnectionHandler, toNodeListener } = require('@carevision/xero-connection/server');")} })();`,
    ]);
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });
});
