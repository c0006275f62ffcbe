#!/usr/bin/env node
/**
 * Git's smart HTTP protocol over TLS on 127.0.0.1, for the Flux cluster tests: every request is handed
 * to `git http-backend` as a CGI program (RFC 3875: the request in environment variables and stdin,
 * the response as CGI headers and body on stdout), so what Flux's source-controller and `git push`
 * talk to is git's own server side. Run by test/cluster/git-server.ts in its own process:
 *
 *   node git-http-server.js --root DIR --port N --cert server.crt --key server.key
 *
 * Serves the bare repositories under DIR (GIT_PROJECT_ROOT, GIT_HTTP_EXPORT_ALL); pushes need
 * `http.receivepack = true` in the repository, which git-server.ts sets. `GET /healthz` answers "ok".
 * No authentication: it listens on loopback only, for one test run.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const https = require('https');

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`git-http-server: --${name} is required`);
  return process.argv[i + 1];
};
const root = arg('root');
const port = Number(arg('port'));

const server = https.createServer({ cert: fs.readFileSync(arg('cert')), key: fs.readFileSync(arg('key')) }, (req, res) => {
  const url = new URL(req.url, 'https://127.0.0.1');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end('ok\n');
  }
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: 'rings-test-git-http-server',
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: req.headers['git-protocol'] } : {}),
  };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(cgi.stdin);
  cgi.stdin.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let headersDone = false;
  let stderr = '';
  cgi.stderr.on('data', (d) => (stderr += d));
  cgi.stdout.on('data', (chunk) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const sep = end === crlf ? 4 : 2;
    const lines = head.subarray(0, end).toString('latin1').split(/\r?\n/);
    const body = head.subarray(end + sep);
    headersDone = true;
    let status = 200;
    const headers = {};
    for (const line of lines) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else headers[key] = value;
    }
    res.writeHead(status, headers);
    if (body.length) res.write(body);
  });
  cgi.on('close', (code) => {
    if (!headersDone) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.write(`git http-backend exited ${code} without a response\n${stderr}`);
    }
    if (stderr.trim()) process.stderr.write(`${req.method} ${req.url}: ${stderr}`);
    res.end();
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on https://127.0.0.1:${port}/ serving ${root}\n`));
