import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildConnection } from '../../src/testing/fixtures';

// The published artefact, not the source: pack the built package, install the tarball into a
// throwaway project WITHOUT React (peers are not auto-installed), and use `./client` from plain
// Node through both module systems against a real HTTP server.

const root = resolve(import.meta.dirname, '../..');
let workDir: string;
let server: Server;
let baseUrl: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Asynchronous on purpose: the HTTP server below lives in this process, and a synchronous child
// would block the event loop that has to answer it.
async function runNode(args: string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)('node', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  return stdout;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'xero-connection-pack-'));
  run('npm', ['pack', '--pack-destination', workDir, '--silent'], root);
  const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  writeFileSync(join(workDir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  run('npm', ['install', `./${tarball}`, '--legacy-peer-deps', '--no-audit', '--no-fund', '--prefer-offline'], workDir);

  const connection = buildConnection('needsReauthExpired');
  server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/api/xero-billing/connection') {
      response.writeHead(200, { 'content-type': 'application/json', 'x-xero-connection-contract': '1.0' });
      response.end(JSON.stringify(connection));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ type: 'about:blank', title: 'Not found', status: 404, code: 'INTERNAL', retryable: false }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/xero-billing`;
}, 120_000);

afterAll(() => {
  server?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const script = (body: string) => ['--input-type=module', '-e', body];

describe('the packed package', () => {
  it('installs without React', () => {
    expect(() => run('node', ['-e', "require.resolve('react')"], workDir)).toThrow();
  });

  it('reads a connection through ./client with ESM import in plain Node', async () => {
    const out = await runNode(
      script(`
        import { createXeroConnectionClient, isXeroConnectionApiError } from '@carevision/xero-connection/client';
        const client = createXeroConnectionClient({ baseUrl: ${JSON.stringify(baseUrl)} });
        const connection = await client.getConnection();
        const failure = await client.verify().catch((error) => error);
        console.log(JSON.stringify({ status: connection.status, reason: connection.reason, api: isXeroConnectionApiError(failure), endpoint: failure.endpoint }));
      `),
      workDir,
    );
    expect(JSON.parse(out)).toEqual({
      status: 'needs_reauth',
      reason: 'refresh_token_expired',
      api: true,
      endpoint: 'POST /connection/verify',
    });
  });

  it('reads a connection through ./client with CJS require in plain Node', async () => {
    const out = await runNode(
      [
        '-e',
        `
        const { createXeroConnectionClient, CONTRACT_VERSION } = require('@carevision/xero-connection/client');
        createXeroConnectionClient({ baseUrl: ${JSON.stringify(baseUrl)} })
          .getConnection()
          .then((connection) => console.log(JSON.stringify({ status: connection.status, version: CONTRACT_VERSION })));
      `,
      ],
      workDir,
    );
    expect(JSON.parse(out)).toEqual({ status: 'needs_reauth', version: '1.0' });
  });

  it('ships the OpenAPI document', () => {
    const out = run(
      'node',
      ['-e', "const doc = require('@carevision/xero-connection/openapi.json'); console.log(doc.openapi)"],
      workDir,
    );
    expect(out.trim()).toMatch(/^3\.1\./);
  });
});
