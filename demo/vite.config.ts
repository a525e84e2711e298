import { defineConfig } from 'vite';

// `npm start`: the demo portal page, served from demo/ with the repo's public/ (MSW's worker).
export default defineConfig({
  root: import.meta.dirname,
  publicDir: '../public',
  // The page awaits MSW's worker at the top level before it renders.
  build: { target: 'es2022', outDir: '../node_modules/.cache/demo-build', emptyOutDir: true },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, open: false },
  preview: { host: '127.0.0.1', port: 5173 },
});
