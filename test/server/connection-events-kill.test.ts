import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { createSqliteConnectionStore, type ConnectionEvent } from '../../src/server';
import { BASE_PATH, setup } from './support';

// No event is lost when the backend dies between a change and its delivery: a real process, a
// real SIGKILL, the SQLite file on disk. The event was written with the change, so the next
// process delivers it.

const KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const directory = mkdtempSync(join(tmpdir(), 'events-kill-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function changeThenDie(config: Record<string, unknown>): Promise<{ killed: boolean; output: string }> {
  const script = fileURLToPath(new URL('./processes/change-then-die.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('CHANGE_WRITTEN')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ killed: signal === 'SIGKILL', output }));
  });
}

describe('a backend killed between a change and its event’s delivery', () => {
  it('loses no event: the next process delivers it, once', async () => {
    const filename = join(directory, 'connections.db');
    const first = await createSqliteConnectionStore({ filename, encryptionKey: KEY });
    const harness = await setup({ store: first });
    await harness.connectThroughXero();
    await expect(harness.handler.deliverConnectionEvents(() => undefined)).resolves.toMatchObject({ delivered: 1 });
    first.close();

    const run = await changeThenDie({ filename, encryptionKey: KEY, integrationKey: BASE_PATH });
    expect(run.output).toContain('CHANGE_WRITTEN');
    expect(run.killed).toBe(true);

    const second = await createSqliteConnectionStore({ filename, encryptionKey: KEY });
    try {
      const after = await setup({ store: second }, harness.emulator);
      await expect(after.client().getConnection()).resolves.toMatchObject({ status: 'needs_reauth' });
      const sent: ConnectionEvent[] = [];
      await expect(after.handler.deliverConnectionEvents((event) => void sent.push(event))).resolves.toEqual({ delivered: 1, failed: 0, deadLettered: 0 });
      expect(sent.map((event) => [event.type, event.reason])).toEqual([['needs_reauth', 'refresh_token_revoked']]);
      await expect(after.handler.deliverConnectionEvents((event) => void sent.push(event))).resolves.toMatchObject({ delivered: 0 });
    } finally {
      second.close();
    }
  }, 60_000);
});
