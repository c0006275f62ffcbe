/** The property settings themselves: npm test draws the same cases on every run; fuzzing draws new ones. */
describe('propertyRuns', () => {
  const load = (env: Record<string, string | undefined>) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    for (const k of Object.keys(env)) if (env[k] === undefined) delete process.env[k];
    try {
      let out: unknown;
      jest.isolateModules(() => {
        out = require('./property').propertyRuns(10);
      });
      return out as { numRuns: number; seed?: number; path?: string };
    } finally {
      process.env = saved;
    }
  };
  test('npm test: the fixed seed and the given runs, the same on every call', () => {
    const { PROPERTY_SEED } = require('./property');
    expect(load({ RINGS_FUZZ: undefined, RINGS_PBT_SEED: undefined, RINGS_PBT_FACTOR: undefined })).toEqual({ numRuns: 10, seed: PROPERTY_SEED });
  });
  test('fuzzing: no fixed seed (fast-check draws one and prints it on failure), 20 times the runs', () => {
    expect(load({ RINGS_FUZZ: '1', RINGS_PBT_SEED: undefined, RINGS_PBT_FACTOR: undefined })).toEqual({ numRuns: 200 });
  });
  test('replay: the printed seed and path', () => {
    expect(load({ RINGS_FUZZ: undefined, RINGS_PBT_SEED: '-1068110184', RINGS_PBT_PATH: '176:0:1', RINGS_PBT_FACTOR: undefined })).toEqual({ numRuns: 10, seed: -1068110184, path: '176:0:1' });
  });
});
