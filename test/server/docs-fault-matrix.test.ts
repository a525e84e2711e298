import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

// docs/faults.md is a table whose every row names the test that proves it (`file` › test name).
// A row whose test was renamed or deleted would be a claim nothing checks: this fails instead.

const doc = readFileSync(new URL('../../docs/faults.md', import.meta.url), 'utf8');
const rows = doc
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| fault') && !line.startsWith('| ---'))
  .map((line) => {
    const cells = line.split(' | ');
    const proof = cells[cells.length - 1]?.replace(/ \|$/, '') ?? '';
    const match = /^`([\w.-]+\.test\.ts)` › (.+)$/.exec(proof);
    return { line, file: match?.[1], name: match?.[2] };
  });

describe('docs/faults.md', () => {
  it('has rows, and every row names its test as `file` › name', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) expect(row.file, row.line).toBeDefined();
  });

  it.each(rows.map((row) => [row.file ?? '', row.name ?? '']))('%s has the test “%s”', (file, name) => {
    const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
    const titles = [...source.matchAll(/\bit(?:\.each\([^)]*\))?\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)].map((match) => (match[2] ?? '').replace(/\\(.)/g, '$1'));
    expect(titles).toContain(name);
  });
});
