import { existsSync } from 'node:fs';

/**
 * Flags for Debian's Chromium as root on a closed network: no sandbox (root), and no background
 * networking, which this network refuses many times a second otherwise.
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's Chromium, or CHROMIUM_PATH. Says what is missing instead of failing obscurely. */
export function chromiumExecutable(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. Browser tests need Debian's chromium: run \`npm run setup:chromium\` (apt-get install -y chromium, as root) or set CHROMIUM_PATH.`,
    );
  }
  return path;
}
