import { defineConfig } from 'vite';

// The demo portal page, served by demo/server.ts in middleware mode (`npm start`) and built by
// `npm run build:demo` to prove the production build works.
export default defineConfig({
  root: import.meta.dirname,
  publicDir: false,
  // Pre-bundled up front: a dependency discovered mid-session makes Vite reload the page, which
  // would cut an end-to-end walk in half.
  optimizeDeps: {
    entries: ['index.html'],
    include: ['react', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-dom', 'react-dom/client', '@tanstack/react-query', '@radix-ui/react-alert-dialog', 'zod/mini'],
  },
  build: { target: 'es2022', outDir: '../node_modules/.cache/demo-build', emptyOutDir: true },
});
