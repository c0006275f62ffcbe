import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLock, commit, JOURNAL_FILE, LOCK_FILE, LockedError, recover } from '../../src/cli/transaction';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-tx-'));
  fs.mkdirSync(path.join(dir, 'locks'));
  fs.writeFileSync(path.join(dir, 'locks/a.lock.json'), 'old\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

describe('lock', () => {
  test('a second holder is refused with the first holder pid', () => {
    const release = acquireLock(dir);
    try {
      expect(() => acquireLock(dir, { waitMs: 0 })).toThrow(new LockedError(process.pid).message);
    } finally {
      release();
    }
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
  test('a lock left by a dead process is taken over', () => {
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const release = acquireLock(dir, { waitMs: 0 });
    expect(JSON.parse(read(LOCK_FILE)).pid).toBe(process.pid);
    release();
  });
  test('a lock older than the stale timeout is taken over even if its pid lives', () => {
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid }));
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(dir, LOCK_FILE), old, old);
    acquireLock(dir, { waitMs: 0, staleMs: 60_000 })();
  });
});

describe('commit and recovery', () => {
  test('commit writes the files and the history line, and removes the journal', () => {
    commit(dir, { 'locks/a.lock.json': 'new\n' }, '{"n":1}');
    expect(read('locks/a.lock.json')).toBe('new\n');
    expect(read('history.jsonl')).toBe('{"n":1}\n');
    expect(fs.existsSync(path.join(dir, JOURNAL_FILE))).toBe(false);
  });
  test('steps run in order: journal, edit, history', () => {
    const seen: string[] = [];
    commit(dir, { 'locks/a.lock.json': 'new\n' }, '{"n":1}', (s) => {
      seen.push(`${s}:${fs.existsSync(path.join(dir, JOURNAL_FILE))}:${read('locks/a.lock.json').trim()}:${fs.existsSync(path.join(dir, 'history.jsonl'))}`);
    });
    expect(seen).toEqual(['journal:true:old:false', 'edit:true:new:false', 'history:true:new:true']);
  });
  for (const step of ['journal', 'edit', 'history'] as const) {
    test(`a crash after "${step}" is rolled forward exactly once`, () => {
      fs.writeFileSync(path.join(dir, 'history.jsonl'), '{"n":0}\n');
      expect(() =>
        commit(dir, { 'locks/a.lock.json': 'new\n' }, '{"n":1}', (s) => {
          if (s === step) throw new Error('crash');
        }),
      ).toThrow('crash');
      expect(recover(dir)).toBe('{"n":1}');
      expect(read('locks/a.lock.json')).toBe('new\n');
      expect(read('history.jsonl')).toBe('{"n":0}\n{"n":1}\n');
      expect(recover(dir)).toBeUndefined();
    });
  }
  test('a torn last history line is cut before the line is appended', () => {
    fs.writeFileSync(path.join(dir, 'history.jsonl'), '{"n":0}\n{"n":1');
    fs.writeFileSync(path.join(dir, JOURNAL_FILE), JSON.stringify({ version: 1, pid: 1, files: {}, history: '{"n":1}' }));
    recover(dir);
    expect(read('history.jsonl')).toBe('{"n":0}\n{"n":1}\n');
  });
  test('several history lines (a train): one journal (version 2), every file, then all the lines in order', () => {
    fs.writeFileSync(path.join(dir, 'locks/b.lock.json'), 'old-b\n');
    const seen: string[] = [];
    commit(dir, { 'locks/a.lock.json': 'new\n', 'locks/b.lock.json': 'new-b\n' }, ['{"n":1}', '{"n":2}', '{"n":3}'], (s) => {
      if (s === 'journal') seen.push(JSON.parse(read(JOURNAL_FILE)).version);
    });
    expect(seen).toEqual([2]);
    expect([read('locks/a.lock.json'), read('locks/b.lock.json'), read('history.jsonl')]).toEqual(['new\n', 'new-b\n', '{"n":1}\n{"n":2}\n{"n":3}\n']);
    expect(fs.existsSync(path.join(dir, JOURNAL_FILE))).toBe(false);
    // one line given as a list is an ordinary (version 1) journal
    commit(dir, {}, ['{"n":4}'], (s) => {
      if (s === 'journal') seen.push(JSON.parse(read(JOURNAL_FILE)).version);
    });
    expect(seen).toEqual([2, 1]);
    expect(() => commit(dir, {}, [])).toThrow(/at least one history line/);
  });
  for (const step of ['journal', 'edit', 'history'] as const) {
    test(`several lines: a crash after "${step}" is rolled forward to every file and every line, exactly once`, () => {
      fs.writeFileSync(path.join(dir, 'history.jsonl'), '{"n":0}\n');
      expect(() =>
        commit(dir, { 'locks/a.lock.json': 'new\n' }, ['{"n":1}', '{"n":2}'], (s) => {
          if (s === step) throw new Error('crash');
        }),
      ).toThrow('crash');
      expect(recover(dir)).toBe('{"n":1}\n{"n":2}');
      expect(read('locks/a.lock.json')).toBe('new\n');
      expect(read('history.jsonl')).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
      expect(recover(dir)).toBeUndefined();
    });
  }
  test('several lines torn mid-append: the torn line is cut, the lines already there are kept, the rest appended once', () => {
    fs.writeFileSync(path.join(dir, 'history.jsonl'), '{"n":0}\n{"n":1}\n{"n":');
    fs.writeFileSync(path.join(dir, JOURNAL_FILE), JSON.stringify({ version: 2, pid: 1, files: {}, history: ['{"n":1}', '{"n":2}', '{"n":3}'] }));
    recover(dir);
    expect(read('history.jsonl')).toBe('{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n');
  });
  test('a journal of another shape is refused, not guessed at (version 2 needs a list of lines; version 1 one line)', () => {
    for (const j of [{ version: 2, pid: 1, files: {}, history: '{"n":1}' }, { version: 2, pid: 1, files: {}, history: [] }, { version: 1, pid: 1, files: {}, history: ['{"n":1}'] }, { version: 3, pid: 1, files: {}, history: '{}' }]) {
      fs.writeFileSync(path.join(dir, JOURNAL_FILE), JSON.stringify(j));
      expect(() => recover(dir)).toThrow(/not a journal this version of rings understands/);
    }
  });
  test('refuses to write outside the registry', () => {
    expect(() => commit(dir, { '../x': 'y' }, '{}')).toThrow(/outside the registry/);
    expect(fs.existsSync(path.join(dir, JOURNAL_FILE))).toBe(false);
  });
  test('an unreadable journal is reported, not guessed at', () => {
    fs.writeFileSync(path.join(dir, JOURNAL_FILE), '{nope');
    expect(() => recover(dir)).toThrow(/unreadable/);
  });
});
