/** `rings export` through the built CLI: stdout only, byte for byte the library's rendering; bad input. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ringDataJson, ringDataSql } from '../../../src/operate/ring-data-export';
import { ringDataOf } from '../../../src/resolve/ring-data-of';
import { loadRegistry } from '../../../src/registry/load';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/rings.js');
const rings = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('json and sql: exactly the rendering of the registry, on stdout, nothing on stderr', () => {
  const data = ringDataOf(loadRegistry(path.join(ROOT, 'rings')));
  const json = rings(ROOT, 'export', '--format', 'json');
  expect(json).toEqual({ code: 0, stdout: ringDataJson(data), stderr: '' });
  const sql = rings(ROOT, 'export', '--format=sql');
  expect(sql).toEqual({ code: 0, stdout: ringDataSql(data, 'the ring registry rings/'), stderr: '' });
});

test('a missing or unknown --format is a usage error (exit 2)', () => {
  expect(rings(ROOT, 'export')).toMatchObject({ code: 2, stdout: '', stderr: 'usage error: missing --format json|sql\nusage: rings export --format json|sql [--registry DIR]\n' });
  expect(rings(ROOT, 'export', '--format', 'csv')).toMatchObject({ code: 2, stdout: '' });
  expect(rings(ROOT, 'export', '--format', 'csv').stderr).toContain('--format: expected json or sql, got "csv"');
});

test('an invalid registry: one line per problem, exit 1, nothing on stdout', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-export-'));
  try {
    fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
    const tenants = path.join(dir, 'rings/tenants.toml');
    fs.writeFileSync(tenants, fs.readFileSync(tenants, 'utf8').replace(/^globex = .*$/m, 'globex = "beta"'));
    const r = rings(dir, 'export', '--format', 'sql');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('rings/tenants.toml: tenants.globex: expected an existing ring (canary, edge, experimental, stable), got "beta"\n1 problem found; nothing was written\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
