import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `./testing` as a host's test suite meets it: the packed tarball in a throwaway project with msw
// (the entry's optional peer) and WITHOUT React, imported from plain Node through both module
// systems, running a scenario against the real client through msw/node's setupServer.

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
  workDir = mkdtempSync(join(tmpdir(), 'xero-connection-testing-'));
  run('npm', ['pack', '--pack-destination', workDir, '--silent'], root);
  const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  writeFileSync(join(workDir, 'package.json'), JSON.stringify({ name: 'host-tests', private: true }));
  // msw's install script only copies its service worker into a host's public folder: not needed here.
  run(
    'npm',
    ['install', `./${tarball}`, 'msw@~2.15.0', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
    workDir,
  );
}, 180_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the packed ./testing entry', () => {
  it('installs with msw and without React', () => {
    expect(() => run('node', ['-e', "require.resolve('react')"], workDir)).toThrow();
    expect(run('node', ['-p', "require('msw/package.json').version"], workDir).trim()).toMatch(/^2\.15\./);
  });

  it('runs a scenario against the client through setupServer (ESM)', async () => {
    const out = await runNode([
      '--input-type=module',
      '-e',
      `
      import { setupServer } from 'msw/node';
      import { createXeroConnectionClient } from '@carevision/xero-connection/client';
      import { createScenarioBackend, scenarios, buildConnection, FIXTURE_NOW } from '@carevision/xero-connection/testing';

      const baseUrl = 'http://portal.test/api/integrations/xero-billing';
      const backend = createScenarioBackend('needs_reauth_invalid_grant', { baseUrl });
      const server = setupServer(...backend.handlers);
      server.listen({ onUnhandledRequest: 'error' });
      const client = createXeroConnectionClient({ baseUrl, retry: false });
      const before = await client.getConnection();
      const disconnected = await client.disconnect();
      const after = await client.getConnection();
      server.close();
      console.log(JSON.stringify({
        before: [before.status, before.reason],
        disconnected,
        after: after.status,
        requests: backend.requests.map((request) => request.method + ' ' + request.path),
        scenarios: Object.keys(scenarios).length,
        fixture: buildConnection('connected').checkedAt === FIXTURE_NOW.toISOString(),
      }));
    `,
    ]);
    expect(JSON.parse(out)).toEqual({
      before: ['needs_reauth', 'refresh_token_expired'],
      disconnected: { status: 'disconnected', remoteRemoved: false },
      after: 'disconnected',
      requests: ['GET /connection', 'DELETE /connection', 'GET /connection'],
      scenarios: 12,
      fixture: true,
    });
  });

  it('serves the happy-path handlers through CJS require', async () => {
    const out = await runNode([
      '-e',
      `
      const { setupServer } = require('msw/node');
      const { createXeroConnectionClient } = require('@carevision/xero-connection/client');
      const { createXeroConnectionHandlers } = require('@carevision/xero-connection/testing');
      const baseUrl = 'http://portal.test/api/integrations/xero-payroll';
      const server = setupServer(...createXeroConnectionHandlers({ baseUrl, scenario: 'disconnect_fails_once' }));
      server.listen({ onUnhandledRequest: 'error' });
      const client = createXeroConnectionClient({ baseUrl, retry: false });
      client.disconnect()
        .catch((error) => error.code)
        .then(async (first) => {
          const second = await client.disconnect();
          server.close();
          console.log(JSON.stringify({ first, second }));
        });
    `,
    ]);
    expect(JSON.parse(out)).toEqual({ first: 'XERO_UNAVAILABLE', second: { status: 'disconnected', remoteRemoved: false } });
  });
});
