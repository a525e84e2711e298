import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// docs/api/ is generated from the TSDoc of the public entries (typedoc.json) and committed, so
// reviewers see API changes in diffs. This runs TypeDoc with the repository's own typedoc.json
// into a throwaway directory, once, and checks two things: TypeDoc's validation is clean, and the
// committed docs/api/ is exactly what it generates now.
//
// Validation warnings are reported here instead of stopping TypeDoc (treatWarningsAsErrors off
// for this run only), so a missing comment and a stale page show up as two separate failures.

const ROOT = resolve(import.meta.dirname, '../..');
const COMMITTED = join(ROOT, 'docs/api');
const TYPEDOC = join(ROOT, 'node_modules/typedoc/bin/typedoc');
const STALE = 'docs/api/ is stale: run `npm run docs:api` and commit the result.';

let outDir: string;
let problems: string[];

/** Every file under `dir`, as paths relative to it with `/` separators, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'xero-connection-api-docs-'));
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [TYPEDOC, '--out', outDir, '--treatWarningsAsErrors', 'false', '--logLevel', 'Warn'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 },
  );
  problems = `${stdout}\n${stderr}`
    // eslint-disable-next-line no-control-regex -- strips terminal colours, should TypeDoc add any
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^\[(warning|error)\]/.test(line) && !/Found \d+ errors? and \d+ warnings?/.test(line));
}, 300_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('the API reference (docs/api/)', () => {
  it('documents every public export: TSDoc on each, every {@link} resolves, every referenced type is exported', () => {
    expect(problems, `TypeDoc reported (fix the TSDoc in src/, then run \`npm run docs:api\`):\n${problems.join('\n')}`).toEqual([]);
  });

  it('is up to date with the TSDoc in src/', async () => {
    const [generated, committed] = await Promise.all([listFiles(outDir), listFiles(COMMITTED)]);
    expect(generated.length, 'TypeDoc generated no pages').toBeGreaterThan(0);

    const missing = generated.filter((file) => !committed.includes(file));
    const extra = committed.filter((file) => !generated.includes(file));
    expect(missing, `${STALE}\nMissing from docs/api/: ${missing.join(', ')}`).toEqual([]);
    expect(extra, `${STALE}\nNo longer generated, still in docs/api/: ${extra.join(', ')}`).toEqual([]);

    const differing: string[] = [];
    for (const file of generated) {
      const [fresh, old] = await Promise.all([readFile(join(outDir, file), 'utf8'), readFile(join(COMMITTED, file), 'utf8')]);
      if (fresh !== old) differing.push(`docs/api/${file}`);
    }
    expect(differing, `${STALE}\nDiffering: ${differing.join(', ')}`).toEqual([]);
  });
});
