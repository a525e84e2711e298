import { readFile, writeFile } from 'node:fs/promises';

import { defineConfig } from 'tsup';

// The default theme, in cascade order: tokens first, then shared buttons, then each component.
const STYLESHEETS = ['theme.css', 'buttons.css', 'dialog.css', 'card.css', 'notice.css'];

// esbuild drops module-level directives when it bundles, so "use client" is put back on the
// React entry's output files only: `./client` stays usable in React Server Components and Node.
async function markReactEntryAsClient(): Promise<void> {
  for (const file of ['dist/index.js', 'dist/index.cjs']) {
    const code = await readFile(file, 'utf8');
    if (code.startsWith('"use client"')) continue;
    await writeFile(file, `"use client";\n${code}`);
    // One line was added at the top: shift the source map by one line so it stays true.
    const map = JSON.parse(await readFile(`${file}.map`, 'utf8')) as { mappings: string };
    map.mappings = `;${map.mappings}`;
    await writeFile(`${file}.map`, JSON.stringify(map));
  }
}

// One stylesheet for hosts to import: `@carevision/xero-connection/styles.css`. Plain CSS,
// never injected at runtime, so a strict Content-Security-Policy needs no 'unsafe-inline'.
async function bundleStylesheet(): Promise<void> {
  const parts = await Promise.all(
    STYLESHEETS.map(async (name) => {
      const css = await readFile(`src/components/styles/${name}`, 'utf8').catch(() => null);
      return css === null ? '' : `/* ${name} */\n${css.trim()}\n`;
    }),
  );
  await writeFile('dist/styles.css', parts.filter(Boolean).join('\n'));
}

// Three entries, one per audience: `./client` has no React at all (plain Node, other frameworks),
// `.` is the React layer, `./testing` is fixtures, msw handlers and the fake backend for hosts'
// tests (no React; msw is its optional peer, never bundled). All are emitted as ESM and CJS with their own d.ts / d.cts so
// attw sees correct types under every module resolution.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    client: 'src/client/index.ts',
    testing: 'src/testing/index.ts',
    // The reference backend: Node only (node:http, node:crypto). oauth4webapi is its runtime
    // dependency, left external so hosts get one copy and its own updates.
    server: 'src/server/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  // Shared chunks keep one copy of the client when a host imports both entries.
  splitting: true,
  external: ['react', 'react-dom', '@tanstack/react-query', 'msw', /^msw\//, 'oauth4webapi', /^node:/],
  async onSuccess() {
    await markReactEntryAsClient();
    await bundleStylesheet();
  },
});
