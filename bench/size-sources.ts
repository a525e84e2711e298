// Where the bytes of a size-limit check go, by SOURCE file: bundles one import from src/ the way
// size-limit bundles dist/ (esbuild, minified, peers external) and prints each layer's and each
// file's minified bytes, plus the whole bundle's gzip. scripts/size-why.mjs answers the same for
// dist/, where the shared chunks hide which source file a byte came from.
//
//   npx tsx bench/size-sources.ts src/index.ts '{ useXeroConnection, XeroConnectionProvider }' [top]
//
// The totals differ from size-limit's by a few hundred bytes (dist/ is tsup's es2022 output with
// shared chunks); the shares are what this is for.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

const [file = 'src/index.ts', spec = '*', top = '30'] = process.argv.slice(2);
const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { peerDependencies?: Record<string, string> };
const external = Object.keys(pkg.peerDependencies ?? {});

/** `src/client`, `zod`, `@radix-ui/react-dialog`: the layer or package an input belongs to. */
function groupOf(path: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inPackage?.[1]) return inPackage[1];
  return path.split('/').slice(0, 2).join('/');
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`.padStart(9);
const dir = await mkdtemp(join(tmpdir(), 'size-sources-'));
try {
  const entry = join(dir, 'entry.js');
  const names = spec === '*' ? 'all' : spec.replace(/[{}]/g, '').trim();
  await writeFile(entry, `import ${spec === '*' ? '* as all' : spec} from ${JSON.stringify(resolve(file))};\nconsole.log(${names});\n`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    target: 'es2022',
    external,
    metafile: true,
    write: false,
    outdir: dir,
    logLevel: 'error',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const rows = Object.entries(inputs)
    .map(([path, { bytesInOutput }]) => ({ path: path.replace(/^.*node_modules\//, ''), group: groupOf(path), bytes: bytesInOutput }))
    .filter((row) => row.bytes > 0 && !row.path.endsWith('entry.js'))
    .sort((a, b) => b.bytes - a.bytes);
  const groups = new Map<string, number>();
  for (const row of rows) groups.set(row.group, (groups.get(row.group) ?? 0) + row.bytes);

  console.log(`${file} ${spec}: ${kb(code.length).trim()} min, ${kb(gzipSync(code).length).trim()} gzip`);
  console.log('\nBy layer or package (minified bytes):');
  for (const [group, bytes] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${kb(bytes)}  ${group}`);
  console.log(`\nTop ${top} files (minified bytes):`);
  for (const row of rows.slice(0, Number(top))) console.log(`${kb(row.bytes)}  ${row.path}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
