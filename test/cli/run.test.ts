/** The CLI entry in-process, with a fake terminal: confirmation, colours, help and usage errors without spawning. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageVersion, run } from '../../src/cli/run';
import { Io } from '../../src/cli/output';
import { loadRegistry } from '../../src/registry/load';

function fakeIo(opts: { tty?: boolean; answer?: string; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const io: Io = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    stdoutIsTty: opts.tty ?? false,
    stdinIsTty: opts.tty ?? false,
    env: { RINGS_NOW: '2026-11-23T12:00:00Z', USER: 'tester', ...opts.env },
    ask: async (q) => {
      asked.push(q);
      return opts.answer ?? '';
    },
  };
  return { io, out: () => out.join(''), err: () => err.join(''), asked };
}

const dirs: string[] = [];
function copy(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-main-'));
  dirs.push(d);
  fs.cpSync('rings', path.join(d, 'rings'), { recursive: true });
  return path.join(d, 'rings');
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('confirmation on a terminal', () => {
  test('shows the change and applies it on "y"', async () => {
    const reg = copy();
    const t = fakeIo({ tty: true, answer: 'y', env: { NO_COLOR: '1' } });
    expect(await run(['assign', 'acme', 'edge', '--registry', reg], t.io)).toBe(0);
    expect(t.asked).toEqual(['Apply this change? [y/N] ']);
    expect(t.err()).toContain('acme = "stable" → "edge"');
    expect(fs.readFileSync(path.join(reg, 'tenants.toml'), 'utf8')).toContain('acme = "edge"');
  });
  test('anything but yes changes nothing', async () => {
    const reg = copy();
    const t = fakeIo({ tty: true, answer: '' });
    expect(await run(['assign', 'acme', 'edge', '--registry', reg], t.io)).toBe(1);
    expect(t.err()).toContain('nothing changed');
    expect(fs.readFileSync(path.join(reg, 'tenants.toml'), 'utf8')).toContain('acme = "stable"');
  });
  test('--yes does not ask', async () => {
    const reg = copy();
    const t = fakeIo({ tty: true });
    expect(await run(['assign', 'acme', 'edge', '--yes', '--registry', reg], t.io)).toBe(0);
    expect(t.asked).toEqual([]);
  });
});

describe('colours', () => {
  test('on a terminal', async () => {
    const t = fakeIo({ tty: true });
    await run(['list'], t.io);
    expect(t.out()).toContain('\x1b[');
  });
  test('never with NO_COLOR or without a terminal', async () => {
    const a = fakeIo({ tty: true, env: { NO_COLOR: '1' } });
    await run(['list'], a.io);
    expect(a.out()).not.toContain('\x1b[');
    const b = fakeIo({ tty: false });
    await run(['list'], b.io);
    expect(b.out()).not.toContain('\x1b[');
  });
});

describe('usage', () => {
  test('no command: help and exit 2; unknown command: exit 2', async () => {
    const a = fakeIo();
    expect(await run([], a.io)).toBe(2);
    expect(a.out()).toContain('commands:');
    const b = fakeIo();
    expect(await run(['promot'], b.io)).toBe(2);
    expect(b.err()).toMatch(/^usage error: unknown command "promot"/);
  });
  test('every command has --help with its usage line', async () => {
    for (const c of ['list', 'show', 'status', 'assign', 'promote', 'rollback', 'history', 'check', 'synth', 'diff']) {
      const t = fakeIo();
      expect(await run([c, '--help'], t.io)).toBe(0);
      expect(t.out()).toMatch(new RegExp(`^usage: rings ${c}`));
    }
  });
  test('a bad RINGS_NOW is a usage error', async () => {
    const t = fakeIo({ env: { RINGS_NOW: 'yesterday' } });
    expect(await run(['list'], t.io)).toBe(2);
  });
});

describe('the registry loader ignores what the CLI keeps in the registry folder', () => {
  test('history.jsonl, .lock, .pending.json and temp files do not affect loading', () => {
    const reg = copy();
    const clean = loadRegistry(reg);
    fs.writeFileSync(path.join(reg, '.lock'), 'not toml = = =');
    fs.writeFileSync(path.join(reg, '.pending.json'), '{broken');
    fs.writeFileSync(path.join(reg, '.tenants.toml.tmp-123'), '[[[');
    fs.writeFileSync(path.join(reg, 'locks/.stable.lock.json.tmp-123'), '{');
    fs.appendFileSync(path.join(reg, 'history.jsonl'), 'garbage\n');
    const again = loadRegistry(reg);
    expect({ ...again, dir: '' }).toEqual({ ...clean, dir: '' });
  });
});

describe('rings --version: read from package.json at run time', () => {
  test('passes: the nearest package.json named cdk8s-rings above the code, skipping a foreign one in between', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-version-'));
    try {
      fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'cdk8s-rings', version: '9.8.7' }));
      fs.mkdirSync(path.join(root, 'build', 'src', 'cli'), { recursive: true });
      fs.writeFileSync(path.join(root, 'build', 'package.json'), JSON.stringify({ name: 'something-else', version: '1.0.0' }));
      expect(packageVersion(path.join(root, 'build', 'src', 'cli'))).toBe('9.8.7');
      expect(packageVersion(path.join(root, 'build'))).toBe('9.8.7');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  test('fails: no package.json of ours above the code is an error, not a made-up version', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-version-'));
    try {
      fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'something-else', version: '1.0.0' }));
      expect(() => packageVersion(root)).toThrow(/cannot find the package.json of cdk8s-rings above /);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  test('run(["--version"]) prints this package\'s version and exits 0', async () => {
    const { io, out } = fakeIo();
    expect(await run(['--version'], io)).toBe(0);
    expect(out()).toBe(`${JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version}\n`);
  });
});
