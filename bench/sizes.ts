// Bundle bytes of our entries beside other "connect a third-party account" wrappers, measured the
// way .size-limit.cjs (size-limit's esbuild preset) and scripts/size-why.mjs do: one import from a
// generated entry, bundled by esbuild, minified, tree-shaken, peers external; gzip at level 9 as
// @size-limit/file does. Unlike size-limit, the ~46 B of an empty esbuild project are not
// subtracted, for ours or theirs alike, so the rows compare fairly with each other.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Gitignored (bench/.cache/): the other packages live here, never in the repo's package.json. */
export const CACHE_DIR = fileURLToPath(new URL('./.cache', import.meta.url));

/** Our peers, left out as size-limit leaves them out (.size-limit.cjs). */
const OUR_EXTERNALS = ['react', 'react-dom', '@tanstack/react-query'];
/** Theirs: React only; everything else they depend on is bundled, as a host would ship it. */
const THEIR_EXTERNALS = ['react', 'react-dom'];

interface Other {
  /** The row's name. */
  name: string;
  /** The packages imported with `import * as …`, in one bundle. */
  imports: readonly string[];
  /** Exact versions, so reruns compare like with like. */
  install: readonly string[];
  /** What it fetches from its vendor at runtime, none of which the bytes include (read from its code). */
  remote: string;
  /** A string its bundle must contain if `remote` still describes it: a check that the note is not stale. */
  marker: string | null;
}

// Read from each package's dist at these versions; `marker` re-checks it on every run.
const OTHERS: readonly Other[] = [
  {
    name: 'react-plaid-link',
    imports: ['react-plaid-link'],
    install: ['react-plaid-link@5.0.0'],
    remote: 'injects `<script src="https://cdn.plaid.com/link/v2/stable/link-initialize.js">` (Plaid Link, which opens its own iframe)',
    marker: 'cdn.plaid.com/link/v2/stable/link-initialize.js',
  },
  {
    name: '@tryfinch/react-connect',
    imports: ['@tryfinch/react-connect'],
    install: ['@tryfinch/react-connect@5.0.0'],
    remote: 'no script; on open adds a full-screen `<iframe>` of https://connect.tryfinch.com (the whole Connect UI)',
    marker: 'connect.tryfinch.com',
  },
  {
    name: '@mergeapi/react-merge-link',
    imports: ['@mergeapi/react-merge-link'],
    install: ['@mergeapi/react-merge-link@2.4.2'],
    remote: 'injects `<script src="https://cdn.merge.dev/initialize.js">` (or a regional CDN), which renders Merge Link',
    marker: 'cdn.merge.dev/initialize.js',
  },
  {
    name: '@nangohq/frontend',
    imports: ['@nangohq/frontend'],
    install: ['@nangohq/frontend@0.71.10'],
    remote: 'no script; Connect UI in an `<iframe>` of https://connect.nango.dev, OAuth in a pop-up via https://api.nango.dev. Not React: a plain class',
    marker: 'connect.nango.dev',
  },
  {
    // The React wrapper alone imports nothing from Stripe: the host passes it an instance made by
    // @stripe/connect-js's loadConnectAndInitialize, a peer it cannot work without. Both rows shown.
    name: '@stripe/react-connect-js',
    imports: ['@stripe/react-connect-js'],
    install: ['@stripe/react-connect-js@3.4.4'],
    remote: 'nothing by itself: it renders components of the instance the host makes with @stripe/connect-js (next row)',
    marker: null,
  },
  {
    name: '@stripe/react-connect-js + @stripe/connect-js',
    imports: ['@stripe/react-connect-js', '@stripe/connect-js'],
    install: ['@stripe/connect-js@3.4.6'],
    remote: 'connect-js injects `<script src="https://connect-js.stripe.com/v1.0/connect.js">` as soon as it is imported; the components render Stripe iframes',
    marker: 'connect-js.stripe.com/v1.0/connect.js',
  },
];

export interface SizeRow {
  entry: string;
  minBytes: number;
  gzipBytes: number;
  /** The largest bundled packages, minified bytes each. */
  largest: string;
  remote: string;
  /** The gzip budget .size-limit.cjs sets for the same import, if any. */
  budget: string | null;
}

interface SizeLimitCheck {
  path: string;
  import: string;
  limit: string;
}

/** The budget of the .size-limit.cjs check for `file` + `spec`, so the table shows where we stand. */
function budgetOf(file: string, spec: string): string | null {
  const checks = createRequire(import.meta.url)(`${ROOT}.size-limit.cjs`) as SizeLimitCheck[];
  const wanted = spec === '* as all' ? '*' : spec;
  return checks.find((check) => check.path === file && check.import === wanted)?.limit ?? null;
}

function installedVersion(name: string): string | null {
  const file = `${CACHE_DIR}/node_modules/${name}/package.json`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : null;
}

/** Installs the other packages into bench/.cache/ unless the pinned versions are there already. */
export async function ensureOthers(log: (line: string) => void): Promise<void> {
  const specs = OTHERS.flatMap((other) => other.install);
  const missing = specs.filter((spec) => {
    const at = spec.lastIndexOf('@');
    return installedVersion(spec.slice(0, at)) !== spec.slice(at + 1);
  });
  if (missing.length === 0) return;
  log(`installing into bench/.cache/: ${missing.join(' ')}`);
  // --legacy-peer-deps: their React peers stay external, so npm need not install a second React;
  // --ignore-scripts: nothing here needs an install script, and none should run on a bench.
  await promisify(execFile)(
    'npm',
    ['install', '--prefix', CACHE_DIR, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...specs],
    { cwd: ROOT },
  );
}

/** The generated entry's name, as the metafile lists it. */
const ENTRY_FILE = 'size-entry.generated.js';

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

async function measure(importLine: string, resolveDir: string, external: string[]) {
  const result = await build({
    stdin: { contents: importLine, resolveDir, sourcefile: ENTRY_FILE, loader: 'js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    external,
    metafile: true,
    write: false,
    outdir: `${CACHE_DIR}/unused-out`,
    // "use client" directives in bundled modules make esbuild warn; they change no bytes that matter.
    logLevel: 'error',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced nothing for ${importLine}`);
  const byPackage = new Map<string, number>();
  for (const meta of Object.values(result.metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(meta.inputs)) {
      // The generated entry (a few bytes of `console.log`) is the harness, not anyone's package.
      if (path.endsWith(ENTRY_FILE)) continue;
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? 'this package (dist/)';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  const largest = [...byPackage]
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${kb(bytes)}`)
    .join(', ');
  const code = output.contents;
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, largest, text: output.text };
}

/** Ours from dist/ (as shipped), then the others from bench/.cache/. */
export async function measureSizes(): Promise<SizeRow[]> {
  const ours: [string, string, string][] = [
    ['`.` (everything)', 'dist/index.js', '* as all'],
    ['`{ useXeroConnection, XeroConnectionProvider }` from `.`', 'dist/index.js', '{ useXeroConnection, XeroConnectionProvider }'],
    ['`{ DisconnectDialog }` from `.`', 'dist/index.js', '{ DisconnectDialog }'],
    ['`./client` (everything)', 'dist/client.js', '* as all'],
  ];
  const rows: SizeRow[] = [];
  for (const [entry, file, spec] of ours) {
    const names = spec === '* as all' ? 'all' : spec.replace(/[{}]/g, '').trim();
    const line = `import ${spec} from ${JSON.stringify(`${ROOT}${file}`)};\nconsole.log(${names});\n`;
    const { minBytes, gzipBytes, largest } = await measure(line, ROOT, OUR_EXTERNALS);
    rows.push({
      entry: `ours: ${entry}`,
      minBytes,
      gzipBytes,
      largest,
      remote: 'nothing: talks only to the host’s own backend; connecting is a redirect (or pop-up) to Xero’s consent page',
      budget: budgetOf(file, spec),
    });
  }
  for (const other of OTHERS) {
    const versions = other.imports.map((name) => `${name}@${installedVersion(name) ?? '?'}`).join(' + ');
    const line = other.imports.map((name, index) => `import * as p${index} from ${JSON.stringify(name)};\nconsole.log(p${index});\n`).join('');
    const { minBytes, gzipBytes, largest, text } = await measure(line, CACHE_DIR, THEIR_EXTERNALS);
    if (other.marker !== null && !text.includes(other.marker)) {
      throw new Error(`${versions}: its bundle no longer mentions ${other.marker}; re-read its code and update the note in bench/sizes.ts`);
    }
    rows.push({ entry: `${versions} (\`* as all\`)`, minBytes, gzipBytes, largest, remote: other.remote, budget: null });
  }
  return rows;
}

export { kb };
