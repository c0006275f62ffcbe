/**
 * A throwaway PostgreSQL server for tests: Debian's `postgresql` package (binaries in
 * /usr/lib/postgresql/<version>/bin, found here), initdb in a temporary folder, listening on a Unix
 * socket only (no TCP port). PostgreSQL refuses to run as root, so as root (CI) the server runs as
 * the `postgres` user the package creates (or `nobody`) through runuser; the client (psql) runs as
 * whoever we are. `stop()` kills the server and removes the folder; it is also called on process
 * exit, so a failing or interrupted test never leaves a server behind.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Postgres {
  /** Runs SQL through psql with ON_ERROR_STOP; resolves to stdout, throws with stderr on failure. */
  psql(sql: string, opts?: { file?: string }): string;
  /** Like psql, but returns the exit status and stderr instead of throwing. */
  psqlResult(sql: string, opts?: { file?: string }): { status: number; stdout: string; stderr: string };
  /** Rows of a query, each a list of column texts (`psql -At`, fields split on a unit separator). */
  rows(query: string): string[][];
  stop(): void;
  readonly dir: string;
}

/** The newest PostgreSQL bin folder installed by Debian's packages. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('PostgreSQL is not installed: expected /usr/lib/postgresql/<version>/bin/initdb (apt-get install postgresql; .ci/run installs it)');
  return path.join(root, versions[0], 'bin');
}

function serverUser(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const u of ['postgres', 'nobody']) {
    if (spawnSync('id', ['-u', u], { stdio: 'ignore' }).status === 0) return u;
  }
  throw new Error('running as root and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

export function startPostgres(): Postgres {
  const bin = postgresBinDir();
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-pg-'));
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  fs.mkdirSync(sock);
  const asServer = (cmd: string, args: string[]) => {
    const [file, argv] = user ? ['runuser', ['-u', user, '--', cmd, ...args]] : [cmd, args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  if (user) execFileSync('chown', ['-R', user, dir]);
  let started = false;
  const stop = () => {
    process.removeListener('exit', stop);
    try {
      if (started) asServer(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      /* already gone */
    }
    started = false;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  try {
    asServer(path.join(bin, 'initdb'), ['-D', data, '-U', 'rings', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    started = true;
    asServer(path.join(bin, 'pg_ctl'), [
      '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60',
      '-o', `-c listen_addresses='' -k ${sock} -p 54329 -c fsync=off -c full_page_writes=off`,
      'start',
    ]);
  } catch (e) {
    const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    stop();
    throw new Error(`could not start PostgreSQL: ${(e as Error).message}\n${stderr}\n${log}`);
  }

  const psqlResult = (sql: string, opts: { file?: string } = {}) => {
    const args = ['-X', '-q', '-h', sock, '-p', '54329', '-U', 'rings', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-At', '-F', '\x1f'];
    const r = spawnSync(path.join(bin, 'psql'), opts.file ? [...args, '-f', opts.file] : args, { input: opts.file ? undefined : sql, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  };
  const psql = (sql: string, opts?: { file?: string }) => {
    const r = psqlResult(sql, opts);
    if (r.status !== 0) throw new Error(`psql failed (exit ${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  return {
    dir,
    psql,
    psqlResult,
    rows: (query) =>
      psql(query)
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\x1f')),
    stop,
  };
}
