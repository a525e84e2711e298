// Size budgets (issue 7), checked by `npm run size` against the BUILT dist (run `npm run build`
// first). size-limit bundles each check with esbuild, minified, and measures it gzipped.
// react, react-dom and @tanstack/react-query are peers, so size-limit leaves them out by itself;
// Radix and zod are dependencies, so they are bundled and counted.

// The hook-only check must prove that `useXeroConnection` pulls no Radix code, not just that it is
// small. Resolving is not enough to judge (esbuild resolves every import of dist/index.js before it
// tree-shakes), so this plugin reads the metafile once the bundle is done and fails the build when
// any Radix module, or any of the packages only Radix brings (scroll locking, aria-hidden), put
// bytes into the output.
const RADIX_CODE = /node_modules\/(@radix-ui\/|react-remove-scroll|react-style-singleton|aria-hidden|use-sidecar|use-callback-ref|get-nonce)/;
const forbidRadix = {
  name: 'forbid-radix',
  setup(build) {
    build.onEnd((result) => {
      if (!result.metafile) return;
      const radix = Object.values(result.metafile.outputs)
        .flatMap((output) => Object.entries(output.inputs))
        .filter(([path, { bytesInOutput }]) => bytesInOutput > 0 && RADIX_CODE.test(path))
        .map(([path]) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path);
      if (radix.length > 0) {
        const packages = [...new Set(radix)].join(', ');
        throw new Error(`useXeroConnection alone must not pull Radix, but the bundle has code from ${packages}`);
      }
    });
  },
};

module.exports = [
  {
    name: '. (card + dialog + hook + client)',
    path: 'dist/index.js',
    import: '*',
    gzip: true,
    limit: '28 kB',
  },
  {
    name: './client',
    path: 'dist/client.js',
    import: '*',
    gzip: true,
    limit: '10 kB',
  },
  {
    name: '{ useXeroConnection } from . (no Radix)',
    path: 'dist/index.js',
    import: '{ useXeroConnection }',
    gzip: true,
    // Not in the issue: under the `.` budget less Radix's floor (28 − ~15 kB), with room for the
    // hook's own growth but not for the components or Radix creeping back in.
    limit: '12 kB',
    modifyEsbuildConfig(config) {
      return { ...config, plugins: [...(config.plugins ?? []), forbidRadix] };
    },
  },
];
