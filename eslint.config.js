import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layers point one way (components → react → client → contract). This rule keeps the two
// bottom layers free of React and @tanstack, so `./client` works in plain Node and any framework.
const noReactInCore = {
  files: ['src/contract/**', 'src/client/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: '^(react|react-dom)(/.*)?$', message: 'contract and client must not import React.' },
          { regex: '^@tanstack/', message: 'contract and client must not import @tanstack.' },
          { regex: '^@radix-ui/', message: 'contract and client must not import UI libraries.' },
          { regex: '^\\.\\./(react|components|testing|server)(/|$)', message: 'imports point down the layers only.' },
        ],
      },
    ],
  },
};

// `./testing` (fixtures, msw handlers, the fake backend) runs in hosts' plain Node tests: no React,
// no UI libraries, and it builds on the contract only (never on the React layer or the components).
const noReactInTesting = {
  files: ['src/testing/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: '^(react|react-dom)(/.*)?$', message: 'testing must not import React: ./testing runs in plain Node.' },
          { regex: '^@tanstack/', message: 'testing must not import @tanstack.' },
          { regex: '^@radix-ui/', message: 'testing must not import UI libraries.' },
          { regex: '^msw/(browser|node)$', message: 'testing exports handlers only: the host picks setupServer or setupWorker.' },
          { regex: '^\\.\\./(react|components|server)(/|$)', message: 'testing builds on the contract only.' },
        ],
      },
    ],
  },
};

// `./server` (the reference backend and the Xero emulator) runs in Node only: no React, no UI, no
// browser entry code; it builds on the contract and the client's pure helpers. Nothing below it may
// import it (see the rules above), so tokens and secrets never reach a browser bundle.
const serverLayer = {
  files: ['src/server/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: '^(react|react-dom)(/.*)?$', message: 'server must not import React.' },
          { regex: '^@tanstack/', message: 'server must not import @tanstack.' },
          { regex: '^@radix-ui/', message: 'server must not import UI libraries.' },
          { regex: '^msw(/.*)?$', message: 'server must not import msw: the emulator is a real HTTP server.' },
          { regex: '^\\.\\./(react|components|testing)(/|$)', message: 'server builds on the contract and the client only.' },
          { regex: '^\\.\\./\\.\\./(react|components|testing)(/|$)', message: 'server builds on the contract and the client only.' },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'storybook-static', 'coverage', 'public/mockServiceWorker.js'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}', 'stories/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  noReactInCore,
  noReactInTesting,
  serverLayer,
  {
    // Config files and Storybook's CSF meta are the exceptions the tools require.
    files: ['*.config.{ts,js}', 'demo/*.config.ts', 'stories/**', '.storybook/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
