import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const API_ROOT = join(import.meta.dirname, '..', '..', '..');
export const REPO_ROOT = join(API_ROOT, '..', '..');

export type SpawnedServer = {
  readonly process: ChildProcess;
  readonly baseUrl: string;
  /** Everything the process printed so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/**
 * Starts `node apps/api/dist/src/main.js` as `npm start` does and waits for
 * its "Trellis is running on http://localhost:PORT" line.
 */
export async function spawnServer(
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<SpawnedServer> {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(API_ROOT, 'dist', 'src', 'main.js')],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /Trellis is running on (http:\/\/localhost:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    process: child,
    baseUrl,
    output: () => output,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        // gone already: exited, or killed by a signal (which leaves exitCode null)
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
