// Where the bytes of a size-limit check go: bundles one import from the BUILT dist the way
// size-limit's esbuild preset does (minified, peers external) and prints each input's share of
// the output, biggest first, plus the whole bundle's minified and gzipped size.
//
//   node scripts/size-why.mjs dist/index.js '{ useXeroConnection }' [top]
//
// size-limit's own `--why` needs extra plugins; esbuild's metafile answers the same question.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

const [file = 'dist/index.js', spec = '*', top = '25'] = process.argv.slice(2);
const pkg = JSON.parse(await readFile('package.json', 'utf8'));
// size-limit leaves every peer dependency out of the bundle; so does this script.
const external = Object.keys(pkg.peerDependencies ?? {});

const dir = await mkdtemp(join(tmpdir(), 'size-why-'));
try {
  const entry = join(dir, 'entry.js');
  const names = spec === '*' ? 'all' : spec.replace(/[{}]/g, '').trim();
  const imports = spec === '*' ? '* as all' : spec;
  await writeFile(entry, `import ${imports} from ${JSON.stringify(resolve(file))};\nconsole.log(${names});\n`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    external,
    metafile: true,
    write: false,
    outdir: dir,
    logLevel: 'warning',
  });
  const output = result.outputFiles[0];
  const { inputs } = Object.values(result.metafile.outputs)[0];
  const rows = Object.entries(inputs)
    .map(([path, { bytesInOutput }]) => ({ path: path.replace(/^.*node_modules\//, ''), bytes: bytesInOutput }))
    .filter((row) => row.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  const byPackage = new Map();
  for (const row of rows) {
    const match = /^(@[^/]+\/[^/]+|[^/.][^/]*)\//.exec(row.path);
    const key = match && !row.path.startsWith('dist/') ? match[1] : '(this package)';
    byPackage.set(key, (byPackage.get(key) ?? 0) + row.bytes);
  }
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  console.log(`${file} ${spec}: ${kb(output.contents.length)} min, ${kb(gzipSync(output.contents).length)} gzip`);
  console.log('\nBy package (minified bytes):');
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) console.log(`  ${kb(bytes).padStart(9)}  ${name}`);
  console.log(`\nTop ${top} inputs (minified bytes):`);
  for (const row of rows.slice(0, Number(top))) console.log(`  ${kb(row.bytes).padStart(9)}  ${row.path}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
