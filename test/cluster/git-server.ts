/**
 * A git server on 127.0.0.1 for the Flux cluster tests: git's smart HTTP (`git http-backend`, run as
 * CGI by git-http-server.js in its own supervised process) over TLS, with a CA made by openssl for
 * this run (server certificate SAN `IP:127.0.0.1`). Flux's source-controller reaches it with the CA
 * from a Secret (`ca.crt`, named by `[gitops] secret_ref`), `git push` with `GIT_SSL_CAINFO` — this
 * machine exports GIT_SSL_CAINFO, which overrides `http.sslCAInfo`, so the environment is set, not
 * the config.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { freePort, openssl, startSupervised, Supervised, trackDir, untrackDir } from './processes';

export interface GitServer {
  /** https://127.0.0.1:<port> */
  readonly baseUrl: string;
  /** The CA that signed the server's certificate (PEM file). */
  readonly caFile: string;
  /** Folder of the bare repositories. */
  readonly root: string;
  readonly process: Supervised;
  /** Creates an empty bare repository `<name>.git` that accepts pushes; returns its https URL. */
  createRepository(name: string): string;
  /** Environment for git commands talking to this server (its CA, no user or system config). */
  gitEnv(): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}



/** A CA and a server certificate for 127.0.0.1 signed by it, in `dir`: ca.crt, server.crt, server.key. */
export function makeServerCertificates(dir: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', '/CN=rings-test-git-ca']);
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '3', '-extfile', 'server.ext']);
}

function healthy(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/healthz`, { ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

export async function startGitServer(options: { dir?: string } = {}): Promise<GitServer> {
  const dir = options.dir ?? trackDir(fs.mkdtempSync(path.join(os.tmpdir(), 'rings-git-')));
  const root = path.join(dir, 'repositories');
  fs.mkdirSync(root, { recursive: true });
  makeServerCertificates(dir);
  const port = await freePort();
  const proc = startSupervised('git-http-server', process.execPath, [path.join(__dirname, 'git-http-server.js'), '--root', root, '--port', String(port), '--cert', path.join(dir, 'server.crt'), '--key', path.join(dir, 'server.key')], {
    log: path.join(dir, 'git-http-server.log'),
  });
  const baseUrl = `https://127.0.0.1:${port}`;
  const caFile = path.join(dir, 'ca.crt');
  const ca = fs.readFileSync(caFile);
  const deadline = Date.now() + 30_000;
  while (!(await healthy(baseUrl, ca))) {
    if (proc.exited() || Date.now() > deadline) {
      await proc.stop();
      throw new Error(`git server did not come up on ${baseUrl}:\n${fs.readFileSync(proc.log, 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const gitEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GIT_SSL_CAINFO: caFile, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' });
  return {
    baseUrl,
    caFile,
    root,
    process: proc,
    gitEnv,
    createRepository(name: string) {
      const bare = path.join(root, `${name}.git`);
      const r = spawnSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { env: gitEnv(), encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git init --bare ${bare}: ${r.stderr}`);
      execFileSync('git', ['config', 'http.receivepack', 'true'], { cwd: bare, env: gitEnv() });
      return `${baseUrl}/${name}.git`;
    },
    async stop() {
      await proc.stop();
      if (!options.dir) untrackDir(dir);
    },
  };
}
