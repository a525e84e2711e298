// The throwaway apps that install the packed tarball as a consumer would: what each depends on,
// which template it is copied from, and how it builds. Shared by global-setup.ts and the specs.

/** The apps, by name. */
export const APP_NAMES = ['vite-react-19', 'vite-react-18', 'next'] as const;
export type AppName = (typeof APP_NAMES)[number];

export interface AppDefinition {
  /** The folder under apps/ whose files are copied (a trailing `.tpl` is dropped). */
  template: 'vite' | 'next';
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  /** What `npm run build` runs. */
  build: string;
  /** The major React version the app must run. */
  reactMajor: 18 | 19;
}

// Peers of the React entry (react, react-dom, @tanstack/react-query) and of ./testing (msw), at
// the versions issue 7 names; the package itself comes from the packed tarball.
const shared = { '@tanstack/react-query': '~5.108.0', msw: '~2.15.0' };
const vite = { vite: '~8.3.8', '@vitejs/plugin-react': '~6.3.0', typescript: '~5.9.3' };

export const APPS: Record<AppName, AppDefinition> = {
  'vite-react-19': {
    template: 'vite',
    dependencies: { ...shared, react: '~19.3.1', 'react-dom': '~19.3.1' },
    devDependencies: { ...vite, '@types/react': '~19.3.0', '@types/react-dom': '~19.3.0' },
    build: 'tsc --noEmit && vite build',
    reactMajor: 19,
  },
  'vite-react-18': {
    template: 'vite',
    dependencies: { ...shared, react: '18.3.1', 'react-dom': '18.3.1' },
    devDependencies: { ...vite, '@types/react': '^18.3.0', '@types/react-dom': '^18.3.0' },
    build: 'tsc --noEmit && vite build',
    reactMajor: 18,
  },
  next: {
    template: 'next',
    dependencies: { ...shared, next: '~16.4.6', react: '~19.3.1', 'react-dom': '~19.3.1' },
    devDependencies: { typescript: '~5.9.3', '@types/react': '~19.3.0', '@types/react-dom': '~19.3.0', '@types/node': '^20.19.0' },
    // `next build` type-checks the app too.
    build: 'next build',
    reactMajor: 19,
  },
};

/** What global-setup.ts hands the specs for each app. */
export interface BuiltApp {
  dir: string;
  /** `npm run build`'s exit code and everything it printed. */
  build: { exitCode: number; output: string; seconds: number };
}

/** The organisation the fake backend's `connected` fixture is connected to. */
export const FIXTURE_ORGANISATION = 'Sunrise Care Group';
