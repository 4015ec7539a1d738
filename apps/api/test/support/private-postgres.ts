import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * A PostgreSQL server of the test's own (initdb in a temp folder, its own
 * port), for tests that kill the database: the shared server of the run is
 * never touched. Runs as the postgres OS user when the tests run as root.
 */
export type PrivatePostgres = {
  readonly url: string;
  /** kill -9 the postmaster: no shutdown, no checkpoint. */
  crash(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  if (version === undefined)
    throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  return join(root, version, 'bin');
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'trellis-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const run = (file: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, file), ...args], {
          stdio: 'pipe',
        })
      : execFileSync(join(bin, file), args, { stdio: 'pipe' });
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  let server: ChildProcess | null = null;

  const start = async () => {
    const args = [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=on',
      '-c',
      'synchronous_commit=on',
    ];
    server = asRoot
      ? spawn('runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), ...args], {
          stdio: 'ignore',
        })
      : spawn(join(bin, 'postgres'), args, { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], {
          stdio: 'ignore',
        });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('private PostgreSQL did not start');
  };
  await start();
  const postmasterPid = () =>
    Number(
      execFileSync('head', ['-1', join(data, 'postmaster.pid')])
        .toString()
        .trim(),
    );
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async crash() {
      const pid = postmasterPid();
      process.kill(pid, 'SIGKILL');
      // the backends die with their postmaster; wait until the port is free
      for (let i = 0; i < 100 && existsSync(join(dir, `.s.PGSQL.${port}`)); i++)
        await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
    },
    start,
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } catch {
        // already gone
      }
      (server as ChildProcess | null)?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
