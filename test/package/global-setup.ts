import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A throwaway project with the packed tarball (and msw) installed, and no React. */
    consumerDir: string;
  }
}

// Pack the built package once and install it into one throwaway consumer for every packed-entry
// test: `npm pack` + `npm install` is the slow part, and each entry's test needs the same artefact.
// Peers are not auto-installed (--legacy-peer-deps), so React stays absent; msw is installed
// because it is `./testing`'s optional peer. Install scripts are skipped: msw's only copies its
// service worker into a host's public folder.
let consumerDir: string | undefined;

export function setup(project: TestProject): void {
  const root = resolve(import.meta.dirname, '../..');
  consumerDir = mkdtempSync(join(tmpdir(), 'xero-connection-consumer-'));
  const run = (command: string, args: string[], cwd: string) =>
    execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  run('npm', ['pack', '--pack-destination', consumerDir, '--silent'], root);
  const tarball = readdirSync(consumerDir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball: run `npm run build` first');
  writeFileSync(join(consumerDir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  run(
    'npm',
    ['install', `./${tarball}`, 'msw@~2.15.0', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
    consumerDir,
  );
  project.provide('consumerDir', consumerDir);
}

export function teardown(): void {
  if (consumerDir) rmSync(consumerDir, { recursive: true, force: true });
}
