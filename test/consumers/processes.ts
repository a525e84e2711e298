import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * The environment for the apps' commands: this process's, without what `npm run` adds for the
 * repository (npm_package_*, npm_config_local_prefix, …), so each app's npm sees its own project.
 */
export function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_') && key !== 'FORCE_COLOR') env[key] = value;
  }
  return { ...env, ...extra };
}

export interface CommandResult {
  exitCode: number;
  /** stdout and stderr, interleaved as printed. */
  output: string;
  seconds: number;
}

/** Runs a shell command in `cwd` and resolves with its exit code and output; never rejects. */
export function runCommand(command: string, cwd: string): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, { cwd, env: appEnv(), shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const done = (exitCode: number) => resolve({ exitCode, output, seconds: (performance.now() - started) / 1000 });
    child.on('error', (error) => {
      output += String(error);
      done(-1);
    });
    child.on('close', (code) => done(code ?? -1));
  });
}

/** A free loopback port (asked of the OS, then released for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningServer {
  url: string;
  /** Everything the server printed so far. */
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts an app's server (`vite preview`, `next start`, `next dev`) on `port` and resolves once
 * `url` answers HTTP. Fails with the server's output when it exits first or never answers.
 */
export async function startServer(command: string, args: string[], cwd: string, port: number): Promise<RunningServer> {
  const url = `http://127.0.0.1:${port}/`;
  // Its own process group, so closing it ends the workers it starts too (next dev has one).
  const child: ChildProcess = spawn(command, args, { cwd, env: appEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const close = async () => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (!exited) process.kill(-child.pid, 'SIGKILL');
    }
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      await fetch(url, { signal: AbortSignal.timeout(30_000) });
      return { url, output: () => output, close };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await close();
  throw new Error(`${command} ${args.join(' ')} ${exited ? 'exited' : 'never answered'} in ${cwd}:\n${output}`);
}
