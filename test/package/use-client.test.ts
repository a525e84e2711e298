import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runInConsumer } from './consumer';

// `"use client"` marks the React entry only, in the packed tarball as a host installs it. esbuild
// drops module directives, so tsup.config.ts writes it back onto the `.` entry's files; this checks
// that it is there, first, in both module systems, and that nothing else carries it: a React Server
// Component importing `./client` (or a route handler importing `./server`) must stay on the server.

const PACKAGE = '@carevision/xero-connection';
const ENTRIES = ['.', './client', './server', './testing'] as const;

/** The file each entry resolves to through the package's `exports`, for `import` and `require`. */
function resolveEntries(): Record<string, { import: string; require: string }> {
  const out = runInConsumer('node', [
    '--input-type=module',
    '-e',
    `
      import { createRequire } from 'node:module';
      import { fileURLToPath } from 'node:url';
      const require = createRequire(import.meta.url);
      const resolved = {};
      for (const entry of ${JSON.stringify(ENTRIES)}) {
        const specifier = entry === '.' ? '${PACKAGE}' : '${PACKAGE}/' + entry.slice(2);
        resolved[entry] = { import: fileURLToPath(import.meta.resolve(specifier)), require: require.resolve(specifier) };
      }
      console.log(JSON.stringify(resolved));
    `,
  ]);
  return JSON.parse(out) as Record<string, { import: string; require: string }>;
}

/** The directive prologue: the string-literal statements a module starts with, in order. */
function directives(code: string): string[] {
  const found: string[] = [];
  const directive = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(['"])([^'"\n]*)\1\s*;?/;
  let rest = code;
  for (let match = directive.exec(rest); match; match = directive.exec(rest)) {
    found.push(match[2] ?? '');
    rest = rest.slice(match[0].length);
  }
  return found;
}

describe('"use client" in the packed package', () => {
  const resolved = resolveEntries();
  const fileOf = (entry: string, condition: 'import' | 'require'): string => {
    const file = resolved[entry]?.[condition];
    if (!file) throw new Error(`${PACKAGE} has no ${condition} file for ${entry}`);
    return file;
  };

  it.each(['import', 'require'] as const)('the React entry (`.`, %s) begins with "use client"', (condition) => {
    const file = fileOf('.', condition);
    expect(directives(readFileSync(file, 'utf8'))[0], file).toBe('use client');
  });

  it.each(ENTRIES.filter((entry) => entry !== '.').flatMap((entry) => [[entry, 'import'], [entry, 'require']] as const))(
    '%s (%s) has no "use client", so server code can import it',
    (entry, condition) => {
      const file = fileOf(entry, condition);
      expect(directives(readFileSync(file, 'utf8')), file).not.toContain('use client');
    },
  );

  it('no other script in dist carries "use client" (the chunks ./client shares with the React entry stay server-safe)', () => {
    const reactEntry = [fileOf('.', 'import'), fileOf('.', 'require')];
    const dist = dirname(fileOf('.', 'import'));
    const marked = readdirSync(dist)
      .filter((name) => /\.(c|m)?js$/.test(name))
      .map((name) => join(dist, name))
      .filter((file) => !reactEntry.includes(file) && directives(readFileSync(file, 'utf8')).includes('use client'));
    expect(marked).toEqual([]);
  });
});
