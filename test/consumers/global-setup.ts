import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

import type { TestProject } from 'vitest/node';

import { APP_NAMES, APPS, type AppName, type BuiltApp } from './apps';
import { runCommand } from './processes';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Each throwaway app, installed from the packed tarball and built. */
    consumerApps: Record<AppName, BuiltApp>;
  }
}

// Packs the built package once, then scaffolds the three apps in a temp folder, installs them in
// parallel (each from the same tarball, as a consumer would: `npm install`, no flags that skip
// peers or scripts) and builds them. A failed install stops the run; a failed build is reported
// by the app's spec, with its output. XERO_CONNECTION_KEEP_CONSUMERS=1 keeps the apps for a look.

const root = resolve(import.meta.dirname, '../..');
let workDir: string | undefined;

/** Newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) time = Math.max(time, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return time;
}

/** Copies a template folder; `name.tsx.tpl` becomes `name.tsx` (templates stay out of the repo's tsc and ESLint). */
function copyTemplate(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const source = join(entry.parentPath, entry.name);
    const target = join(to, relative(from, source).replace(/\.tpl$/, ''));
    mkdirSync(resolve(target, '..'), { recursive: true });
    cpSync(source, target);
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

export async function setup(project: TestProject): Promise<void> {
  const started = performance.now();
  if (newest(join(root, 'src')) > newest(join(root, 'dist'))) {
    console.warn('[consumers] dist/ is older than src/: the apps get the last build, not the working tree.');
  }
  workDir = mkdtempSync(join(tmpdir(), 'xero-connection-consumers-'));
  const packed = execFileSync('npm', ['pack', '--pack-destination', workDir, '--silent'], { cwd: root, encoding: 'utf8' });
  const tarball = join(workDir, packed.trim().split('\n').pop() ?? '');
  if (!tarball.endsWith('.tgz')) throw new Error(`npm pack printed no tarball name: ${packed}`);

  const dirs = Object.fromEntries(APP_NAMES.map((name) => [name, join(workDir as string, name)])) as Record<AppName, string>;
  for (const name of APP_NAMES) {
    const app = APPS[name];
    copyTemplate(join(import.meta.dirname, 'apps', app.template), dirs[name]);
    const manifest = {
      name: `consumer-${name}`,
      private: true,
      type: 'module',
      scripts: { build: app.build },
      // npm 11 runs only approved install scripts; msw's copies its worker (we run `msw init`).
      allowScripts: { msw: true },
      dependencies: { '@carevision/xero-connection': `file:${tarball}`, ...app.dependencies },
      devDependencies: app.devDependencies,
    };
    writeFileSync(join(dirs[name], 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  const installing = performance.now();
  const installs = await Promise.all(
    APP_NAMES.map((name) => runCommand('npm install --no-audit --no-fund --prefer-offline', dirs[name])),
  );
  installs.forEach((result, index) => {
    if (result.exitCode !== 0) throw new Error(`npm install failed in ${APP_NAMES[index]}:\n${result.output}`);
  });
  console.info(`[consumers] packed and installed 3 apps in parallel: ${seconds(installing)}`);

  // The browser apps serve the fake backend through msw's service worker: the consumer's own copy.
  for (const name of APP_NAMES.filter((candidate) => APPS[candidate].template === 'vite')) {
    const init = await runCommand('npx --no-install msw init public --no-save', dirs[name]);
    if (init.exitCode !== 0) throw new Error(`msw init failed in ${name}:\n${init.output}`);
  }

  const building = performance.now();
  const builds = await Promise.all(APP_NAMES.map((name) => runCommand('npm run build', dirs[name])));
  console.info(`[consumers] built 3 apps in parallel: ${seconds(building)}; setup ${seconds(started)}`);

  const apps = Object.fromEntries(
    APP_NAMES.map((name, index) => [name, { dir: dirs[name], build: builds[index] }]),
  ) as Record<AppName, BuiltApp>;
  project.provide('consumerApps', apps);
}

export async function teardown(): Promise<void> {
  if (!workDir) return;
  if (process.env.XERO_CONNECTION_KEEP_CONSUMERS) {
    console.info(`[consumers] kept ${workDir}`);
    return;
  }
  // Asynchronously: removing ~600 MB synchronously blocks Vitest long enough that it reports a
  // timeout terminating the last spec's worker.
  await rm(workDir, { recursive: true, force: true });
}
