/**
 * The operator CLI, finished: ring add/retire, the journal refusal, --json on failure, global
 * options before the command, "did you mean", and tenants.toml's [previews] hint. Each with a
 * passing and a failing case, through the built CLI.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/rings.js');
const MAIN = path.join(ROOT, 'build/src/bin/synth-app.js');
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-ops-'));
  tmpDirs.push(dir);
  fs.cpSync(path.join(ROOT, 'rings'), path.join(dir, 'rings'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  const reg = path.join(dir, 'rings');
  const tree = (sub: string) => {
    const out: Record<string, string> = {};
    const walk = (rel: string) => {
      for (const e of fs.readdirSync(path.join(dir, sub, rel), { withFileTypes: true })) {
        const r = path.join(rel, e.name);
        if (e.isDirectory()) walk(r);
        else out[r] = fs.readFileSync(path.join(dir, sub, r), 'utf8');
      }
    };
    walk('');
    return out;
  };
  return {
    dir,
    reg,
    file: (rel: string) => fs.readFileSync(path.join(reg, rel), 'utf8'),
    write: (rel: string, s: string) => fs.writeFileSync(path.join(reg, rel), s),
    tree,
    history: () => fs.readFileSync(path.join(reg, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)),
  };
}

function run(cwd: string, file: string, args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, RINGS_NOW: '2026-11-23T12:00:00Z', NO_COLOR: '1', ...extra };
  delete env.RINGS_CRASH_AFTER;
  if (extra.RINGS_CRASH_AFTER) env.RINGS_CRASH_AFTER = extra.RINGS_CRASH_AFTER;
  const r = spawnSync(process.execPath, [file, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
const rings = (cwd: string, args: string[], extra: Record<string, string> = {}) => run(cwd, BIN, args, extra);

describe('rings ring add / retire', () => {
  test('add: ring file and lock (copied from the next more conservative ring), order, namespace and segment derived; synth renders it; retire removes it again', () => {
    const ws = workspace();
    const r = rings(ws.dir, ['ring', 'add', 'beta', '--after', 'edge', '--reason', 'a ring for the reseller pilot', '--yes']);
    expect(r.code).toBe(0);
    expect(ws.file('locks/beta.lock.json')).toBe(ws.file('locks/edge.lock.json'));
    expect(ws.file('beta.toml')).toMatch(/^name = "beta"\n[\s\S]*namespace = "autocom-beta"\nhostname_segment = "beta"\npromotion_order = 15\n[\s\S]*soak = "24h"\n/);
    expect(ws.history().pop()).toMatchObject({ action: 'ring-add', from: 'edge', to: 'beta', reason: 'a ring for the reseller pilot' });
    expect(rings(ws.dir, ['check']).code).toBe(0);
    expect(rings(ws.dir, ['synth']).code).toBe(0);
    expect(fs.existsSync(path.join(ws.dir, 'dist/ring-beta/ring-beta.yaml'))).toBe(true);
    // promotions now pass through it: canary → edge skips beta
    expect(rings(ws.dir, ['promote', 'ai', '--from', 'canary', '--to', 'edge', '--dry-run']).stderr).toMatch(/^refused by the order gate: canary → edge skips beta/);
    const retire = rings(ws.dir, ['ring', 'retire', 'beta', '--yes']);
    expect(retire.code).toBe(0);
    expect(fs.existsSync(path.join(ws.reg, 'beta.toml'))).toBe(false);
    expect(fs.existsSync(path.join(ws.reg, 'locks/beta.lock.json'))).toBe(false);
    expect(ws.history().pop()).toMatchObject({ action: 'ring-retire', to: 'beta' });
    expect(rings(ws.dir, ['synth']).code).toBe(0);
    expect(fs.existsSync(path.join(ws.dir, 'dist/ring-beta/ring-beta.yaml'))).toBe(false);
  });
  test('add is refused, writing nothing: existing name, unknown --after, bad name, no room between orders', () => {
    const ws = workspace();
    const before = ws.tree('rings');
    expect(rings(ws.dir, ['ring', 'add', 'canary', '--after', 'edge', '--yes']).stderr).toBe('error: ring "canary" exists already (rings/canary.toml)\n');
    expect(rings(ws.dir, ['ring', 'add', 'beta', '--after', 'edgy', '--yes']).stderr).toBe('error: unknown ring "edgy"; did you mean "edge"? (rings: stable, edge, canary, experimental)\n');
    expect(rings(ws.dir, ['ring', 'add', 'Beta_1', '--after', 'edge', '--yes']).stderr).toMatch(/^error: invalid ring name "Beta_1": expected a DNS label/);
    ws.write('canary.toml', ws.file('canary.toml').replace('promotion_order = 20', 'promotion_order = 11'));
    expect(rings(ws.dir, ['ring', 'add', 'beta', '--after', 'edge', '--yes']).stderr).toMatch(/^error: no free promotion_order between edge \(10\) and canary \(11\)/);
    ws.write('canary.toml', before['canary.toml']);
    expect(rings(ws.dir, ['ring', 'add', 'beta', '--yes']).code).toBe(2);
    expect(ws.tree('rings')).toEqual(before);
  });
  test('retire is refused while tenants are assigned or previews point at it', () => {
    const ws = workspace();
    const before = ws.tree('rings');
    expect(rings(ws.dir, ['ring', 'retire', 'edge', '--yes']).stderr).toBe('refused: 3 tenants are assigned to edge (bar, hooli, widgets); move them first with rings assign <tenant> <ring>\n');
    expect(rings(ws.dir, ['assign', 'test-canary', 'edge', '--yes']).code).toBe(0);
    const after = ws.tree('rings');
    expect(rings(ws.dir, ['ring', 'retire', 'canary', '--yes']).stderr).toBe('refused: previews point at canary (umbrella in rings/tenants.toml [previews]); remove them first\n');
    ws.write('tenants.toml', ws.file('tenants.toml').replace('globex = "stable"', 'globex = "edge"'));
    expect(rings(ws.dir, ['ring', 'retire', 'stable', '--yes']).stderr).toMatch(/^refused: \d+ tenants are assigned to stable/);
    expect(ws.tree('rings')).toEqual({ ...after, 'tenants.toml': ws.file('tenants.toml') });
    expect(before['tenants.toml']).not.toBe(after['tenants.toml']);
  });
});

describe('ring add: where the new ring lands in the promotion path (--after / --before), and its soak', () => {
  test('--after R: between R and the ring that promotes into R, said in the confirmation with the whole path', () => {
    const ws = workspace();
    const r = rings(ws.dir, ['ring', 'add', 'beta', '--after', 'edge', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  beta lands between canary and edge in the promotion path: versions go canary → beta → edge\n');
    expect(r.stdout).toContain('  promotion path: experimental → canary → beta → edge → stable\n');
  });
  test('--before R: between R and the ring R promotes into; lock and replicas of the more conservative neighbour', () => {
    const ws = workspace();
    const r = rings(ws.dir, ['ring', 'add', 'beta', '--before', 'edge', '--yes']);
    expect(r.code).toBe(0);
    // with --yes the confirmation lines go to stderr, as before a prompt
    expect(r.stderr).toContain('  beta lands between edge and stable in the promotion path: versions go edge → beta → stable\n');
    expect(ws.file('beta.toml')).toMatch(/\npromotion_order = 5\n[\s\S]*\nsoak = "7d"\n/);
    expect(ws.file('locks/beta.lock.json')).toBe(ws.file('locks/stable.lock.json'));
    expect(ws.history().pop()).toMatchObject({ action: 'ring-add', from: 'stable', to: 'beta' });
    expect(rings(ws.dir, ['promote', 'orders', '--from', 'edge', '--to', 'stable', '--dry-run']).stderr).toMatch(/^refused by the order gate: edge → stable skips beta/);
  });
  test('the soak: from the less conservative neighbour (the ring that promotes into it), never the most conservative ring\'s 0h', () => {
    const ws = workspace();
    // after stable (soak 0h): the new ring takes edge's 7d, the ring that now promotes into it
    const r = rings(ws.dir, ['ring', 'add', 'beta', '--after', 'stable', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('soak 7d (as edge, the ring that promotes into it)');
    expect(ws.file('beta.toml')).toContain('\nsoak = "7d"\n');
    expect(ws.file('beta.toml')).not.toContain('soak = "0h"');
  });
  test('the soak: --soak overrides; at the less conservative end there is no neighbour to take it from, so --soak is required', () => {
    const ws = workspace();
    const before = ws.tree('rings');
    const missing = rings(ws.dir, ['ring', 'add', 'nightly', '--after', 'experimental', '--yes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe(
      'usage error: missing --soak DURATION: nightly would be the least conservative ring (after experimental, 30), so no ring promotes into it to take a soak from; say how long a version runs in nightly before it may be promoted to experimental (e.g. --soak 24h)',
    );
    const bad = rings(ws.dir, ['ring', 'add', 'nightly', '--after', 'experimental', '--soak', '1w', '--yes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('rings/nightly.toml: soak: expected a duration such as "30m", "24h" or "7d", got "1w"');
    expect(ws.tree('rings')).toEqual(before);
    const ok = rings(ws.dir, ['ring', 'add', 'nightly', '--after', 'experimental', '--soak', '12h', '--yes']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('soak 12h (from --soak)');
    expect(ok.stderr).toContain('  nightly lands at the less conservative end of the promotion path: new versions enter at nightly, then go nightly → experimental\n');
    expect(ws.file('nightly.toml')).toContain('\nsoak = "12h"\n');
  });
  test('usage: exactly one of --after and --before; help says where each lands', () => {
    const ws = workspace();
    expect(rings(ws.dir, ['ring', 'add', 'beta', '--after', 'edge', '--before', 'canary']).stderr).toMatch(/^usage error: give one of --after <ring> and --before <ring>, not both\n/);
    expect(rings(ws.dir, ['ring', 'add', 'beta']).stderr).toMatch(/^usage error: missing --after <ring> \(the new ring is one step less conservative than it\) or --before <ring>/);
    expect(rings(ws.dir, ['ring', 'retire', 'beta', '--before', 'edge']).stderr).toMatch(/^usage error: --before is for ring add\n/);
    const help = rings(ws.dir, ['ring', '--help']).stdout;
    expect(help).toContain('--after R   one step less conservative than R: versions reach the new ring just before R (… → new → R → …)');
    expect(help).toContain('--before R  one step more conservative than R: versions reach it right after R (… → R → new → …)');
    expect(help).toMatch(/--soak DURATION/);
  });
});

describe('did you mean: ring and module names, wherever the CLI takes them', () => {
  const ringHint = (s: string) => expect(s).toMatch(/unknown ring "btea"; did you mean "beta"\? \(rings: /);
  test('a misspelt ring: show, promote, rollback, verify, ring add --after/--before, ring retire, history --ring, assign', () => {
    const ws = workspace();
    expect(rings(ws.dir, ['ring', 'add', 'beta', '--after', 'edge', '--yes']).code).toBe(0);
    const before = ws.tree('rings');
    for (const args of [
      ['show', 'btea'],
      ['promote', 'orders', '--from', 'btea', '--to', 'edge', '--dry-run'],
      ['promote', 'orders', '--from', 'canary', '--to', 'btea', '--dry-run'],
      ['rollback', 'orders', '--ring', 'btea', '--dry-run'],
      ['verify', '--ring', 'btea'],
      ['ring', 'add', 'gamma', '--after', 'btea', '--dry-run'],
      ['ring', 'add', 'gamma', '--before', 'btea', '--dry-run'],
      ['ring', 'retire', 'btea', '--dry-run'],
      ['history', '--ring', 'btea'],
      ['promote', 'image', 'api', '--from', 'canary', '--to', 'btea', '--dry-run'],
    ]) {
      const r = rings(ws.dir, args);
      expect([args, r.code]).toEqual([args, 1]);
      ringHint(r.stderr.split('\n')[0]);
    }
    const assign = rings(ws.dir, ['assign', 'acme', 'btea', '--yes']);
    expect(assign.stderr).toBe('error: unknown ring "btea"; did you mean "beta"? (active rings: stable, edge, beta, canary, experimental)\n');
    expect(ws.tree('rings')).toEqual(before);
  });
  test('a misspelt module: promote, rollback, history --module, history --candidate; a far-off name gets no guess', () => {
    const ws = workspace();
    const before = ws.tree('rings');
    const moduleHint = 'unknown module "ordres"; did you mean "orders"? (no lock pins it and no history entry names it; rings status lists the modules)';
    expect(rings(ws.dir, ['promote', 'ordres', '--from', 'canary', '--to', 'edge', '--dry-run']).stderr).toBe(`error: ${moduleHint}\n`);
    expect(rings(ws.dir, ['rollback', 'ordres', '--ring', 'canary', '--dry-run']).stderr).toBe(`error: ${moduleHint}\n`);
    expect(rings(ws.dir, ['history', '--module', 'ordres'])).toMatchObject({ code: 1, stderr: `error: ${moduleHint}\n` });
    expect(rings(ws.dir, ['history', '--candidate', 'ordres@1.6.0'])).toMatchObject({ code: 1, stderr: `error: ${moduleHint}\n` });
    expect(rings(ws.dir, ['promote', 'zzzzzzzz', '--from', 'canary', '--to', 'edge', '--dry-run']).stderr).toBe(
      'error: unknown module "zzzzzzzz" (no lock pins it and no history entry names it; rings status lists the modules)\n',
    );
    // a module some ring pins but --from does not is not a typo: the old message stays
    expect(ws.tree('rings')).toEqual(before);
  });
  test('known names pass: a real module and ring are not refused; a history filter on a known name with no entries says so', () => {
    const ws = workspace();
    expect(rings(ws.dir, ['promote', 'orders', '--from', 'canary', '--to', 'edge', '--dry-run']).stderr).not.toMatch(/unknown/);
    expect(rings(ws.dir, ['history', '--module', 'orders']).code).toBe(0);
    expect(rings(ws.dir, ['history', '--tenant', 'acme', '--module', 'orders'])).toMatchObject({ code: 0, stdout: 'no history entries match\n' });
    const tenant = rings(ws.dir, ['history', '--tenant', 'acmee']);
    expect(tenant).toMatchObject({ code: 1 });
    expect(tenant.stderr).toMatch(/^error: unknown tenant "acmee"; did you mean "acme"\? /);
  });
  test('a new module pinned into the entry ring is not refused, but the confirmation says it is new and names the likely typo', () => {
    const ws = workspace();
    const r = rings(ws.dir, ['promote', 'ordres', '--with-version', '1.7.0', '--sha256', 'a'.repeat(64), '--to', 'experimental', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  note: no ring pins ordres yet, so this adds a new module; did you mean "orders"?\n');
    const fresh = rings(ws.dir, ['promote', 'orders', '--with-version', '1.7.0', '--sha256', 'a'.repeat(64), '--to', 'experimental', '--dry-run']);
    expect(fresh.stdout).not.toContain('note: no ring pins');
  });
  test('a misspelt image component', () => {
    const ws = workspace();
    expect(rings(ws.dir, ['promote', 'image', 'ngnix', '--from', 'canary', '--to', 'edge', '--dry-run']).stderr.split('\n')[0]).toBe(
      'usage error: unknown image component "ngnix"; did you mean "nginx"? (components: api, horizon, nginx)',
    );
  });
});

describe('rings --version', () => {
  test('prints the version of package.json, through bin/rings.js (the bundle) and the compiled modules alike', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(fs.existsSync(path.join(ROOT, 'build/rings-cli.bundle.js'))).toBe(true);
    for (const file of [BIN, path.join(ROOT, 'build/rings-cli.bundle.js'), path.join(ROOT, 'build/src/cli/run.js')]) {
      expect(run(os.tmpdir(), file, ['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
    expect(rings(os.tmpdir(), ['-V']).stdout).toBe(`${version}\n`);
    expect(rings(os.tmpdir(), ['--help']).stdout).toContain('--version, -V');
  });
  test('a command given --version is a usage error, not a silent version', () => {
    expect(rings(os.tmpdir(), ['list', '--version']).code).toBe(2);
  });
});

describe('an interrupted command must not look finished', () => {
  test('while its journal exists, check, synth and npm run synth refuse with one line naming it and rings recover; recover completes it', () => {
    const ws = workspace();
    const crashed = rings(ws.dir, ['assign', 'foo', 'canary', '--yes'], { RINGS_CRASH_AFTER: 'edit' });
    expect(crashed.signal).toBe('SIGKILL');
    const distBefore = ws.tree('dist');
    const line = `an interrupted \`rings assign foo\` (ring canary) left its journal ${path.join('rings', '.pending.json')}: the registry may be half-changed; run rings recover to complete it first`;
    expect(rings(ws.dir, ['check'])).toMatchObject({ code: 1, stdout: '', stderr: `error: ${line}\n` });
    expect(rings(ws.dir, ['synth'])).toMatchObject({ code: 1, stderr: `error: ${line}\n` });
    expect(run(ws.dir, MAIN, [])).toMatchObject({ code: 1, stderr: `error: ${line}\n` });
    expect(ws.tree('dist')).toEqual(distBefore);
    const rec = rings(ws.dir, ['recover']);
    expect(rec).toMatchObject({ code: 0, stdout: 'recovered: completed assign foo: stable → canary\n' });
    expect(rings(ws.dir, ['recover']).stdout).toBe('nothing to recover\n');
    expect(rings(ws.dir, ['check']).code).toBe(0);
    expect(ws.history().pop()).toMatchObject({ action: 'assign', tenant: 'foo', to: 'canary' });
  });
});

describe('--json also on failure', () => {
  test('invalid registry, refused gate and usage error: {"ok": false, "problems": [...]} on stdout, exit codes unchanged', () => {
    const ws = workspace();
    ws.write('tenants.toml', ws.file('tenants.toml').replace('foo = "stable"', 'foo = "stabel"'));
    const bad = rings(ws.dir, ['check', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({
      ok: false,
      error: 'invalid',
      problems: [{ file: 'rings/tenants.toml', path: 'tenants.foo', message: 'expected an existing ring (canary, edge, experimental, stable), got "stabel"' }],
    });
    const good = workspace();
    const gate = rings(good.dir, ['promote', 'orders', '--from', 'edge', '--to', 'stable', '--yes', '--json']);
    expect(gate.code).toBe(1);
    expect(JSON.parse(gate.stdout)).toMatchObject({ ok: false, error: 'refused', problems: [{ gate: 'soak', message: expect.stringMatching(/^refused by the soak gate: /) }] });
    const usage = rings(good.dir, ['promote', 'orders', '--json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, error: 'usage' });
    // success is unchanged
    expect(JSON.parse(rings(good.dir, ['check', '--json']).stdout)).toMatchObject({ valid: true });
  });
});

describe('global options before the command, and "did you mean"', () => {
  test('rings --registry DIR list works as rings list --registry DIR', () => {
    const ws = workspace();
    const a = rings(os.tmpdir(), ['--registry', ws.reg, '--json', 'list']);
    const b = rings(os.tmpdir(), ['list', '--registry', ws.reg, '--json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(rings(os.tmpdir(), [`--registry=${ws.reg}`, 'check']).code).toBe(0);
    expect(rings(os.tmpdir(), ['--registry', path.join(ws.dir, 'nope'), 'check']).code).toBe(1);
  });
  test('an unknown command suggests the nearest one; a far-off one lists the commands', () => {
    const ws = workspace();
    const near = rings(ws.dir, ['promte', 'orders']);
    expect(near.code).toBe(2);
    expect(near.stderr.split('\n')[0]).toMatch(/^usage error: unknown command "promte"; did you mean "promote"\? \(commands: /);
    expect(rings(ws.dir, ['frobnicate']).stderr.split('\n')[0]).toMatch(/^usage error: unknown command "frobnicate" \(commands: /);
  });
});

describe('tenants.toml: new tenants go under [tenants]', () => {
  test('rings assign of a new tenant adds it to [tenants], above [previews]', () => {
    const ws = workspace();
    expect(rings(ws.dir, ['assign', 'newcorp', 'edge', '--yes']).code).toBe(0);
    const text = ws.file('tenants.toml');
    expect(text.indexOf('newcorp = "edge"')).toBeLessThan(text.indexOf('[previews]'));
    expect(text.indexOf('newcorp = "edge"')).toBeGreaterThan(text.indexOf('[tenants]'));
  });
  test('a tenant line appended after [previews] is reported with what probably happened', () => {
    const ws = workspace();
    ws.write('tenants.toml', `${ws.file('tenants.toml')}newcorp = "edge"\n`);
    const r = rings(ws.dir, ['check']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      'rings/tenants.toml: previews.newcorp: expected a preview table such as { ring = "canary" }, got "edge": a tenant line added at the end of the file lands in [previews]; move it above [previews], under [tenants] (rings assign newcorp edge does that)',
    );
  });
});
