// Browser tests run in Debian's Chromium (playwright's own browser downloads cannot work on
// this network). Finds it, or installs Debian's package when running as root, or says exactly
// what is missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function version() {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'version unknown';
  }
}

if (existsSync(path)) {
  console.log(`chromium: ${path} (${version()})`);
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt || process.env.CHROMIUM_PATH) {
  console.error(
    `Browser tests need Chromium at ${path}, and it is not there.\n` +
      (hasApt
        ? 'Install Debian\'s package as root: apt-get update && apt-get install -y chromium\n'
        : 'Install Chromium with your system\'s package manager.\n') +
      'Or point CHROMIUM_PATH at a Chromium/Chrome binary.',
  );
  process.exit(1);
}

console.log('chromium: not found; installing Debian\'s chromium package (apt-get, about 30 s)…');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
if (!existsSync(path)) {
  console.error(`apt-get finished but ${path} is still missing.`);
  process.exit(1);
}
console.log(`chromium: installed ${path} (${version()})`);
