import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { createSqliteConnectionStore } from '../../src/server';
import { BASE_PATH, MINUTE_MS, REDIRECT_URI, setup } from './support';
import { INVOICES_PATH, putInvoices } from './xero-fetch-support';

// No grant is lost when the backend dies at the worst moment: Xero has answered a refresh (and
// rotated the refresh token) but the process is killed before the new token is stored. A real
// process, a real SIGKILL, the SQLite file on disk: the next process still holds the old refresh
// token, which Xero accepts again within 30 minutes, and the connection stays connected.

const KEY = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';
const directory = mkdtempSync(join(tmpdir(), 'process-kill-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs the dying backend and kills it with SIGKILL the moment Xero has answered its refresh. */
function refreshThenDie(config: Record<string, unknown>): Promise<{ killed: boolean; output: string }> {
  const script = fileURLToPath(new URL('./processes/refresh-then-die.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('XERO_ANSWERED')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ killed: signal === 'SIGKILL', output }));
  });
}

describe('a backend killed between Xero’s answer and the store write', () => {
  it('loses no grant: the next process refreshes with the token still stored and exports', async () => {
    const filename = join(directory, 'connections.db');
    const first = await createSqliteConnectionStore({ filename, encryptionKey: KEY });
    const harness = await setup({ store: first });
    await harness.connectThroughXero();
    first.close();
    harness.emulator.advance(31 * MINUTE_MS);

    const refreshesBefore = harness.emulator.tokenCalls('refresh_token');
    const run = await refreshThenDie({
      filename,
      encryptionKey: KEY,
      basePath: BASE_PATH,
      clientId: harness.emulator.clientId,
      clientSecret: harness.emulator.clientSecret,
      redirectUri: REDIRECT_URI,
      endpoints: harness.emulator.endpoints,
      now: harness.emulator.now().toISOString(),
    });
    expect(run.output).toContain('XERO_ANSWERED');
    expect(run.killed).toBe(true);
    // Xero did rotate: the refresh it answered was a success.
    expect(harness.emulator.tokenCalls('refresh_token')).toBe(refreshesBefore + 1);

    // A new process on the same file, ten minutes later.
    harness.emulator.advance(10 * MINUTE_MS);
    const second = await createSqliteConnectionStore({ filename, encryptionKey: KEY });
    try {
      const after = await setup({ store: second }, harness.emulator);
      await expect(after.client().getConnection()).resolves.toMatchObject({ status: 'connected' });
      await expect(after.handler.xeroFetch(INVOICES_PATH, putInvoices())).resolves.toMatchObject({ status: 200 });
      expect(harness.emulator.invoices(harness.emulator.organisations[0]?.tenantId ?? '')).toHaveLength(3);
    } finally {
      second.close();
    }
  }, 60_000);
});
