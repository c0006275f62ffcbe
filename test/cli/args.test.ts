import { CommandSpec, parseArgs, UsageError } from '../../src/cli/args';
import { colours, table, useColour } from '../../src/cli/output';

const spec: CommandSpec = { name: 'x', summary: '', usage: 'rings x <a> [--flag] [--val V]', positionals: ['a'], flags: { flag: 'boolean', val: 'string' } };

describe('parseArgs', () => {
  test('positionals, booleans, --k v and --k=v', () => {
    expect(parseArgs(spec, ['p', '--flag', '--val', 'v', '--registry=r'])).toEqual({ positionals: ['p'], flags: { flag: true, val: 'v', registry: 'r' } });
  });
  test('an unknown flag is a usage error carrying the usage line', () => {
    try {
      parseArgs(spec, ['p', '--nope']);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).message).toBe('unknown option --nope');
      expect((e as UsageError).usage).toBe(spec.usage);
    }
  });
  test('a missing value, a missing or extra positional are usage errors', () => {
    expect(() => parseArgs(spec, ['p', '--val'])).toThrow('--val needs a value');
    expect(() => parseArgs(spec, [])).toThrow('missing <a>');
    expect(() => parseArgs(spec, ['p', 'q'])).toThrow('unexpected argument "q"');
    expect(() => parseArgs(spec, ['p', '--flag=1'])).toThrow('--flag takes no value');
  });
  test('--help needs no positionals', () => expect(parseArgs(spec, ['--help']).flags.help).toBe(true));
  test('after -- everything is positional', () => expect(parseArgs(spec, ['--', '--flag']).positionals).toEqual(['--flag']));
});

describe('colours', () => {
  test('only on a TTY', () => expect(useColour(false, {})).toBe(false));
  test('on a TTY unless NO_COLOR or --no-color', () => {
    expect(useColour(true, {})).toBe(true);
    expect(useColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(useColour(true, {}, true)).toBe(false);
  });
  test('plain colours do not change text; tables align ignoring colour codes', () => {
    expect(colours(false).red('x')).toBe('x');
    expect(table([['A', 'B'], [colours(true).red('xx'), 'y']])).toBe('A   B\n\x1b[31mxx\x1b[39m  y\n');
  });
});
