/**
 * `npm run bench`: times the real synth (a cold process per run) at three scale points, `npm run synth`
 * (the README's main command) at S, and the equivalent `kubectl kustomize` build at S and M, and writes bench/results/latest.{json,md}.
 *
 * Configuration (environment):
 *   RINGS_BENCH_SYNTH  synth command; {registry} and {out} are replaced, RINGS_REGISTRY/RINGS_OUT are
 *                      also set.                      default: node bin/rings.js synth --registry {registry} --out {out} (the bundled CLI;
 *                      node build/src/bin/synth.js is the bundled app entry, node build/src/bin/synth-app.js the plain modules)
 *   RINGS_BENCH_CHECK  check command ({registry}).   default: node bin/rings.js check --registry {registry}
 *   RINGS_BENCH_SCALES comma list of S,M,L.           default: S,M,L
 *   RINGS_BENCH_RUNS   runs per scale point, e.g. "S=9,M=5,L=3" (medians are reported).
 *   RINGS_BENCH_KUSTOMIZE=0 skips kubectl.            RINGS_BENCH_RESULTS: output folder (default bench/results).
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { generateRegistry, generateKustomize } = require('./generate');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(__dirname, 'out');
const RESULTS = path.resolve(process.env.RINGS_BENCH_RESULTS ?? path.join(__dirname, 'results'));
const SYNTH = process.env.RINGS_BENCH_SYNTH ?? 'node bin/rings.js synth --registry {registry} --out {out}';
const CHECK = process.env.RINGS_BENCH_CHECK ?? 'node bin/rings.js check --registry {registry}';

const SCALES = {
  S: { rings: 4, tenants: 50, modules: 23, runs: 9, kustomizeRuns: 9, target: { wallS: 0.25 } },
  M: { rings: 20, tenants: 20000, modules: 40, runs: 5, kustomizeRuns: 2, target: { wallS: 1.5, kustomizeSpeedup: 5 } },
  // kubectl kustomize at L would take minutes (about 25 s at M): the speed-up is measured at S and M.
  L: { rings: 50, tenants: 100000, modules: 60, runs: 3, kustomizeRuns: 0, target: { wallS: 5, rssMiB: 1024 } },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (n, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/** Runs `argv` cold under GNU time: wall (hrtime), user+sys CPU and peak RSS of the child. */
function timed(argv, env) {
  const tf = path.join(OUT, `.time-${process.pid}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', tf, ...argv], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}:\n${(r.stderr || '').slice(0, 2000)}`);
  const [user, sys, rssKb] = fs.readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  fs.rmSync(tf, { force: true });
  return { wall, cpu: user + sys, rssMiB: rssKb / 1024, stdout: r.stdout };
}

const fill = (cmd, vars) => cmd.split(/\s+/).filter(Boolean).map((a) => a.replace(/\{(\w+)\}/g, (_, k) => vars[k]));

/** Objects and bytes in a synth output folder, subfolders included (every YAML document that has a kind). */
function measureOutput(dir) {
  let objects = 0;
  let bytes = 0;
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    const full = path.join(dir, f);
    if (!fs.statSync(full).isFile()) continue;
    const text = fs.readFileSync(full, 'utf8');
    bytes += Buffer.byteLength(text);
    if (path.basename(f) !== 'kustomization.yaml') objects += (text.match(/^kind: /gm) ?? []).length;
  }
  return { objects, bytes };
}

function stats(samples) {
  const walls = samples.map((s) => s.wall);
  return {
    wallS: round(median(walls)),
    wallMinS: round(Math.min(...walls)),
    wallMaxS: round(Math.max(...walls)),
    cpuS: round(median(samples.map((s) => s.cpu))),
    rssMiB: round(Math.max(...samples.map((s) => s.rssMiB)), 1),
    runs: samples.length,
  };
}

function runsFor(name) {
  const m = new RegExp(`(?:^|,)${name}=(\\d+)`).exec(process.env.RINGS_BENCH_RUNS ?? '');
  return m ? Number(m[1]) : SCALES[name].runs;
}

function kustomizeSample() {
  // The bases are the objects cdk8s-rings renders for one non-home ring and the shared layer.
  const dir = path.join(OUT, 'sample-registry');
  generateRegistry(dir, { rings: 4, tenants: 8, modules: 23 });
  const { renderRegistry } = require(path.join(ROOT, 'build', 'src', 'render', 'pipeline'));
  const { result } = renderRegistry(dir);
  const chart = (unit) => result.charts.find((c) => c.unit === unit).objects;
  return { ring: chart('ring-edge'), shared: chart('shared') };
}

function benchKustomize(name, spec, sample) {
  const dir = path.join(OUT, name, 'kustomize');
  const { overlays } = generateKustomize(dir, spec, sample);
  const totals = [];
  let objects = 0;
  let bytes = 0;
  for (let run = 0; run < spec.kustomizeRuns; run++) {
    let wall = 0;
    let cpu = 0;
    objects = 0;
    bytes = 0;
    // One `kubectl kustomize` per overlay, one after another: what a CI job for the seed runs.
    for (const o of overlays) {
      const t = timed(['kubectl', 'kustomize', path.join(dir, o)], {});
      wall += t.wall;
      cpu += t.cpu;
      objects += (t.stdout.match(/^kind: /gm) ?? []).length;
      bytes += Buffer.byteLength(t.stdout);
    }
    totals.push({ wall, cpu, rssMiB: 0 });
  }
  const s = stats(totals);
  return { wallS: s.wallS, wallMinS: s.wallMinS, wallMaxS: s.wallMaxS, cpuS: s.cpuS, runs: s.runs, overlays: overlays.length, objects, bytes };
}

function main() {
  const wanted = (process.env.RINGS_BENCH_SCALES ?? 'S,M,L').split(',').map((s) => s.trim()).filter((s) => SCALES[s]);
  const withKustomize = process.env.RINGS_BENCH_KUSTOMIZE !== '0' && spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  fs.mkdirSync(OUT, { recursive: true });
  const sample = withKustomize ? kustomizeSample() : undefined;
  const results = {};
  for (const name of wanted) {
    const spec = { ...SCALES[name], runs: runsFor(name) };
    const registry = path.join(OUT, name, 'registry');
    const out = path.join(OUT, name, 'dist');
    const gen = generateRegistry(registry, spec);
    process.stderr.write(`${name}: ${spec.rings} rings, ${spec.tenants} tenants, ${spec.modules} modules, ingress_shards ${gen.shards}\n`);
    const vars = { registry: path.relative(ROOT, registry), out: path.relative(ROOT, out) };
    const env = { RINGS_REGISTRY: vars.registry, RINGS_OUT: vars.out };
    const samples = [];
    for (let i = 0; i < spec.runs; i++) samples.push(timed(fill(SYNTH, vars), env));
    const synth = { ...stats(samples), ...measureOutput(out) };
    process.stderr.write(`  synth  ${synth.wallS}s (min ${synth.wallMinS}, max ${synth.wallMaxS}) cpu ${synth.cpuS}s rss ${synth.rssMiB}MiB, ${synth.objects} objects, ${synth.bytes} bytes\n`);
    const checks = [];
    for (let i = 0; i < Math.max(1, Math.ceil(spec.runs / 2)); i++) checks.push(timed(fill(CHECK, vars), env));
    const check = stats(checks);
    process.stderr.write(`  check  ${check.wallS}s\n`);
    const r = { rings: spec.rings, tenants: spec.tenants, modules: spec.modules, ingressShards: gen.shards, synth, check };
    if (name === 'S') {
      // The README's main command, as an operator runs it after an edit of rings/ (the build is fresh).
      const npmRuns = [];
      for (let i = 0; i < spec.runs; i++) npmRuns.push(timed(['npm', 'run', '--silent', 'synth'], env));
      r.npmSynth = stats(npmRuns);
      process.stderr.write(`  npm run synth ${r.npmSynth.wallS}s (min ${r.npmSynth.wallMinS}, max ${r.npmSynth.wallMaxS})\n`);
    }
    if (withKustomize && spec.kustomizeRuns > 0) {
      r.kustomize = benchKustomize(name, spec, sample);
      r.kustomize.speedup = round(r.kustomize.wallS / synth.wallS, 1);
      process.stderr.write(`  kustomize ${r.kustomize.wallS}s over ${r.kustomize.overlays} overlays: cdk8s-rings ${r.kustomize.speedup}× faster\n`);
      if (r.npmSynth) {
        r.npmSynth.ratioToKustomize = round(r.npmSynth.wallS / r.kustomize.wallS, 2);
        r.npmSynth.cpuRatioToKustomize = round(r.npmSynth.cpuS / r.kustomize.cpuS, 2);
        process.stderr.write(`  npm run synth / kustomize = ${r.npmSynth.ratioToKustomize} wall, ${r.npmSynth.cpuRatioToKustomize} CPU\n`);
      }
    }
    results[name] = r;
  }
  const report = {
    date: new Date().toISOString(),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 2 ** 30, 1), platform: `${os.platform()} ${os.release()}` },
    commands: { synth: SYNTH, check: CHECK, kustomize: withKustomize ? 'kubectl kustomize <overlay>, once per overlay, sequentially' : 'skipped' },
    results,
    targets: targets(results),
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), markdown(report));
  process.stdout.write(markdown(report));
}

/** Each target as measured: { what, value, limit, met }. Reported, never asserted. */
function targets(r) {
  const t = [];
  for (const [name, x] of Object.entries(r)) {
    const spec = SCALES[name];
    t.push({ what: `${name} synth wall (median)`, value: `${x.synth.wallS} s`, limit: `< ${spec.target.wallS} s`, met: x.synth.wallS < spec.target.wallS });
    if (spec.target.rssMiB) t.push({ what: `${name} synth peak RSS`, value: `${x.synth.rssMiB} MiB`, limit: `< ${spec.target.rssMiB} MiB`, met: x.synth.rssMiB < spec.target.rssMiB });
    if (x.npmSynth && x.npmSynth.ratioToKustomize !== undefined) {
      t.push({ what: `${name} npm run synth / kubectl kustomize (wall)`, value: `${x.npmSynth.ratioToKustomize} (${x.npmSynth.wallS} s / ${x.kustomize.wallS} s)`, limit: '≤ 0.7', met: x.npmSynth.ratioToKustomize <= 0.7 });
      t.push({ what: `${name} npm run synth / kubectl kustomize (CPU)`, value: `${x.npmSynth.cpuRatioToKustomize} (${x.npmSynth.cpuS} s / ${x.kustomize.cpuS} s)`, limit: '≤ 0.7', met: x.npmSynth.cpuRatioToKustomize <= 0.7 });
    }
    if (x.kustomize) {
      const need = spec.target.kustomizeSpeedup ?? 1;
      t.push({ what: `${name} faster than kustomize`, value: `${x.kustomize.speedup}×`, limit: `> ${need}×`, met: x.kustomize.speedup > need });
    }
    if (name === 'L') t.push({ what: 'L check under half of synth', value: `${x.check.wallS} s`, limit: `< ${round(x.synth.wallS / 2)} s`, met: x.check.wallS < x.synth.wallS / 2 });
  }
  if (r.M && r.L) {
    // Linear growth: the work (tenants, hence hosts and bytes) grows 5× from M to L, rings 2.5×.
    // The fixed start-up (S) is taken off both, so a constant cost cannot hide super-linear growth.
    const growth = Math.max(r.L.tenants / r.M.tenants, r.L.rings / r.M.rings);
    const base = r.S ? r.S.synth.wallS : 0;
    const ratio = round((r.L.synth.wallS - base) / (r.M.synth.wallS - base), 2);
    t.push({ what: 'M → L time ratio (start-up excluded)', value: `${ratio}×`, limit: `≤ ${growth}× (tenants ×${r.L.tenants / r.M.tenants}, rings ×${r.L.rings / r.M.rings})`, met: ratio <= growth });
  }
  return t;
}

function markdown(rep) {
  const rows = Object.entries(rep.results).map(
    ([n, x]) =>
      `| ${n} | ${x.rings} | ${x.tenants.toLocaleString('en')} | ${x.modules} | ${x.synth.wallS} s (${x.synth.wallMinS}–${x.synth.wallMaxS}, ${x.synth.runs} runs) | ${x.synth.cpuS} s | ${x.synth.rssMiB} MiB | ${x.synth.objects.toLocaleString('en')} | ${(x.synth.bytes / 2 ** 20).toFixed(1)} MiB | ${x.check.wallS} s | ${x.kustomize ? `${x.kustomize.wallS} s (${x.kustomize.overlays} overlays)` : '—'} | ${x.kustomize ? `${x.kustomize.speedup}×` : '—'} |`,
  );
  return [
    `# Benchmark: cdk8s-rings synth`,
    '',
    `${rep.date} · commit ${rep.commit} · Node ${rep.machine.node} · ${rep.machine.cpus} CPUs (${rep.machine.cpuModel}) · ${rep.machine.memoryGiB} GiB`,
    '',
    `Synth: \`${rep.commands.synth}\`, a cold process per run (median, min–max). Check: \`${rep.commands.check}\`. Kustomize: ${rep.commands.kustomize}.`,
    '',
    '| scale | rings | tenants | modules | synth wall | synth CPU | peak RSS | objects | output | check wall | kustomize wall | speed-up |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...Object.entries(rep.results)
      .filter(([, x]) => x.npmSynth)
      .flatMap(([n, x]) => [
        `The main command at ${n}: \`npm run synth\` (npm start-up included, build fresh) ${x.npmSynth.wallS} s wall (${x.npmSynth.wallMinS}–${x.npmSynth.wallMaxS}, ${x.npmSynth.runs} runs), ${x.npmSynth.cpuS} s CPU` +
          (x.kustomize
            ? `; \`kubectl kustomize\` of the same platform (${x.kustomize.overlays} overlays) ${x.kustomize.wallS} s wall (${x.kustomize.wallMinS}–${x.kustomize.wallMaxS}, ${x.kustomize.runs} runs), ${x.kustomize.cpuS} s CPU: **ratio ${x.npmSynth.ratioToKustomize} wall, ${x.npmSynth.cpuRatioToKustomize} CPU** (goal ≤ 0.7).`
            : '.'),
        '',
      ]),
    '| target | measured | limit | met |',
    '|---|---|---|---|',
    ...rep.targets.map((t) => `| ${t.what} | ${t.value} | ${t.limit} | ${t.met ? 'yes' : '**no**'} |`),
    '',
  ].join('\n');
}

main();
