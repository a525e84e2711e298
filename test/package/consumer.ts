import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

import { inject } from 'vitest';

/** The throwaway project `global-setup.ts` installed the packed tarball into. */
export function consumerDir(): string {
  return inject('consumerDir');
}

/** The same project without `./server`'s optional peer oauth4webapi. */
export function consumerWithoutOAuthDir(): string {
  return inject('consumerWithoutOAuthDir');
}

/** Runs a command in the consumer and returns its output; throws when it fails. */
export function runInConsumer(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: consumerDir(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Runs `node` in the consumer without blocking: tests that serve HTTP from their own process
 * would deadlock against a synchronous child.
 */
export async function runNodeInConsumer(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('node', args, { cwd: consumerDir(), encoding: 'utf8', timeout: 30_000 });
  return stdout;
}
