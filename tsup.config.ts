import { defineConfig } from 'tsup';

// Two entries, one per audience: `./client` has no React at all (plain Node, other frameworks),
// `.` is the React layer. Both are emitted as ESM and CJS with their own d.ts / d.cts so
// attw sees correct types under every module resolution.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    client: 'src/client/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  // Shared chunks keep the client code in one place when both entries are imported.
  splitting: true,
  external: ['react', 'react-dom', '@tanstack/react-query'],
});
