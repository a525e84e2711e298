import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A throwaway project with the packed tarball (and msw and oauth4webapi) installed, and no React. */
    consumerDir: string;
    /** The same project without oauth4webapi, `./server`'s optional peer: a browser-only install. */
    consumerWithoutOAuthDir: string;
  }
}

// Pack the built package once and install it into one throwaway consumer for every packed-entry
// test: `npm pack` + `npm install` is the slow part, and each entry's test needs the same artefact.
// Peers are not auto-installed (--legacy-peer-deps), so React stays absent; msw is installed
// because it is `./testing`'s optional peer, oauth4webapi because it is `./server`'s (the version
// the repository tests with). Install scripts are skipped: msw's only copies its service worker into
// a host's public folder. A copy of the project without oauth4webapi plays a browser-only install.
let consumerDir: string | undefined;
let consumerWithoutOAuthDir: string | undefined;

export function setup(project: TestProject): void {
  const root = resolve(import.meta.dirname, '../..');
  consumerDir = mkdtempSync(join(tmpdir(), 'xero-connection-consumer-'));
  const run = (command: string, args: string[], cwd: string) =>
    execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  run('npm', ['pack', '--pack-destination', consumerDir, '--silent'], root);
  const tarball = readdirSync(consumerDir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball: run `npm run build` first');
  writeFileSync(join(consumerDir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const { devDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  run(
    'npm',
    [
      'install',
      `./${tarball}`,
      'msw@~2.15.0',
      `oauth4webapi@${devDependencies.oauth4webapi ?? '^3'}`,
      '--legacy-peer-deps',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
    ],
    consumerDir,
  );
  project.provide('consumerDir', consumerDir);

  consumerWithoutOAuthDir = mkdtempSync(join(tmpdir(), 'xero-connection-consumer-no-oauth-'));
  writeFileSync(join(consumerWithoutOAuthDir, 'package.json'), JSON.stringify({ name: 'consumer-without-oauth', private: true }));
  cpSync(join(consumerDir, 'node_modules'), join(consumerWithoutOAuthDir, 'node_modules'), { recursive: true });
  rmSync(join(consumerWithoutOAuthDir, 'node_modules/oauth4webapi'), { recursive: true, force: true });
  project.provide('consumerWithoutOAuthDir', consumerWithoutOAuthDir);
}

export function teardown(): void {
  for (const dir of [consumerDir, consumerWithoutOAuthDir]) if (dir) rmSync(dir, { recursive: true, force: true });
}
