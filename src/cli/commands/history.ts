import { stringFlag, UsageError } from '../args';
import { componentNames } from '../../registry/schema/presets';
import { candidateRecord, CandidateRecord, CandidateStage, formatMeasured, measuredChecks, parseCandidate } from '../../operate/candidate-record';
import { CliError, Command, Ctx, knownModule, knownModules, loadAll, loadHistory, summarise, unknownModule, unknownRing } from '../context';
import { unknownName } from '../../registry/errors';
import type { Registry } from '../../registry/load';
import { filterHistory, HistoryEntry } from '../../operate/history';
import { Colours, json } from '../output';

const USAGE = 'rings history [--module M] [--ring R] [--tenant T] [--train ID] [--json] [--registry DIR]\n       rings history --candidate <module>@<version> | image:<component>@sha256:<digest> [--json] [--registry DIR]';

export const history: Command = {
  name: 'history',
  summary: 'the audit trail of assign, promote and rollback (rings/history.jsonl), filtered; or one candidate\'s whole record',
  usage: USAGE,
  help: [
    'A ring matches as source or destination; --train ID shows a release train\'s lines and those of its rollback.',
    '--candidate orders@1.6.0 (or image:api@sha256:<digest>, a prefix of ≥ 12 hex digits will do, or image:api@<tag>)',
    'prints the candidate\'s record: each ring it reached (arrival, soak, verify and metric evidence, approvals, waivers,',
    'rollback target, where it went next), then every history entry naming it. With --json: one document with the',
    'promotion lifecycle\'s fields per stage (identity, revision or digest, target, checks_run, passed, evidence,',
    'rollback_target, approver or "not required").',
  ].join('\n'),
  positionals: [],
  flags: { module: 'string', ring: 'string', tenant: 'string', train: 'string', candidate: 'string', json: 'boolean' },
  run(ctx, args) {
    const candidate = stringFlag(args, 'candidate');
    if (candidate !== undefined) {
      const other = ['module', 'ring', 'tenant', 'train'].find((f) => stringFlag(args, f) !== undefined);
      if (other) throw new UsageError(`--candidate shows one artifact across every ring; drop --${other}`, USAGE);
      return candidateHistory(ctx, candidate);
    }
    const all = loadHistory(ctx.registry);
    const filter = { module: stringFlag(args, 'module'), ring: stringFlag(args, 'ring'), tenant: stringFlag(args, 'tenant'), train: stringFlag(args, 'train') };
    const entries = filterHistory(all, filter);
    if (entries.length === 0) refuseUnknownNames(ctx.registry, all, filter);
    if (ctx.json) {
      ctx.io.stdout(json(entries));
      return 0;
    }
    for (const e of entries) ctx.io.stdout(`${historyLine(ctx.c, e)}\n`);
    if (entries.length === 0) ctx.io.stdout('no history entries match\n');
    return 0;
  },
};

/**
 * A filter that matches nothing because it names no ring, module or tenant the registry or the history
 * knows is a typo, not an empty history: refused with a "did you mean" (`--ring btea` → beta). A name
 * the registry knows but the history never saw still prints "no history entries match".
 */
function refuseUnknownNames(dir: string, history: readonly HistoryEntry[], f: { module?: string; ring?: string; tenant?: string }): void {
  let registry: Registry | undefined;
  try {
    registry = loadAll(dir).registry;
  } catch {
    registry = undefined; // an invalid registry: the history alone names what is known
  }
  const rings = new Set([...(registry?.rings.map((r) => r.spec.name) ?? []), ...history.flatMap((e) => [e.from, e.to]).filter((x): x is string => typeof x === 'string')]);
  const tenants = new Set([...Object.keys(registry?.tenants ?? {}), ...history.map((e) => e.tenant).filter((x): x is string => x !== undefined)]);
  const modules = registry ? knownModules(registry, history) : [...new Set(history.map((e) => e.module).filter((x): x is string => x !== undefined))].sort();
  if (f.ring !== undefined && !rings.has(f.ring)) throw unknownRing(f.ring, [...rings]);
  if (f.module !== undefined && !modules.includes(f.module)) throw unknownModule(f.module, modules);
  if (f.tenant !== undefined && !tenants.has(f.tenant)) throw new CliError(unknownName('tenant', f.tenant, [...tenants].sort(), 'not in tenants.toml and in no history entry'));
}

/** One entry as `rings history` prints it; a verify with metrics adds one indented line per measured check. */
function historyLine(c: Colours, e: HistoryEntry): string {
  const reason = e.reason ? c.dim(` — ${e.reason}`) : '';
  const metrics = e.action === 'verify' ? measuredChecks(e).map((m) => `\n    ${formatMeasured(m)}`).join('') : '';
  return `${c.dim(e.time)}  ${e.actor}  ${summarise(e)}${reason}${metrics}`;
}

function candidateHistory(ctx: Ctx, text: string): number {
  const { registry, history } = loadAll(ctx.registry);
  const q = parseCandidate(text, componentNames(registry.platform));
  if (typeof q === 'string') throw new UsageError(`--candidate: ${q}`, USAGE);
  if (q.kind === 'module') knownModule({ registry, history }, q.module);
  const rec = candidateRecord(registry, history, q, ctx.now);
  if (ctx.json) {
    ctx.io.stdout(json(rec));
    return 0;
  }
  const c = ctx.c;
  const out = (s: string) => ctx.io.stdout(`${s}\n`);
  out(`${c.bold(rec.candidate)}  ${identityLine(rec)}`);
  if (rec.stages.length === 0 && rec.entries.length === 0) {
    out('no history entry names it');
    return 0;
  }
  const w = Math.max(0, ...rec.stages.map((s) => s.target.ring.length));
  for (const s of rec.stages) out(`  ${s.target.ring.padEnd(w)}  ${stageLine(s)}`);
  const pending = rec.approvals.filter((a) => !rec.stages.some((s) => s.target.ring === a.to));
  for (const a of pending) out(`  approved for ${a.to}${a.from ? ` from ${a.from}` : ''} by ${a.approver ?? '(unknown)'} at ${a.time}${a.waived.length ? `, waiving ${a.waived.join(', ')}` : ''} (not promoted yet)`);
  if (rec.next) out(`  next: ${rec.next.command}${rec.next.approval_required ? ` (${rec.next.to} requires a signed approval of it by someone else first: rings approve ${rec.identity.kind === 'image' ? `image ${rec.identity.name}` : rec.identity.name} --to ${rec.next.to})` : ''}`);
  out(`\n${rec.entries.length} history entr${rec.entries.length === 1 ? 'y' : 'ies'} name it:`);
  for (const e of rec.entries) out(historyLine(c, e));
  return 0;
}

function identityLine(r: CandidateRecord): string {
  const where = r.running_in.length ? `runs in ${r.running_in.join(', ')}` : 'runs in no ring now';
  if (r.revision) return `module ${r.identity.name} ${r.revision.version}${r.revision.sha256 ? ` (sha256 ${r.revision.sha256})` : ''} of ${r.identity.platform}; ${where}`;
  return `image ${r.identity.name} ${r.digest?.ref ?? r.digest?.digest ?? ''} of ${r.identity.platform}; ${where}`;
}

/** One stage as a sentence: arrival, soak, evidence, approval, rollback target, how it left. */
function stageLine(s: CandidateStage): string {
  const parts: string[] = [];
  const how = s.arrived.action === 'rollback' ? 'back by rollback' : s.arrived.from ? `from ${s.arrived.from}` : 'pinned (entry ring)';
  parts.push(`arrived ${s.arrived.time} ${how} by ${s.arrived.actor}${s.arrived.train ? ` (train ${s.arrived.train})` : ''}`);
  if (s.status === 'running') parts.push(s.soak.remaining ? `soak ${s.soak.required}: ${s.soak.remaining} left (until ${s.soak.until})` : `soaked ${s.soak.required} (since ${s.soak.until})`);
  if (s.waived.length) parts.push(`waived ${s.waived.join(', ')} (emergency${s.arrived.reason ? `: ${s.arrived.reason}` : ''})`);
  const verifies = s.evidence.filter((e): e is Extract<typeof e, { kind: 'verify' }> => 'kind' in e && e.kind === 'verify');
  const last = verifies[verifies.length - 1];
  if (last) {
    const metrics = last.metrics.length ? `, ${last.metrics.map((m) => `${m.name} ${m.result}`).join(', ')}` : '';
    parts.push(`${verifies.length} verify: last ${last.time} ${last.passed ? 'passed' : 'failed'}${metrics}`);
  } else parts.push('not verified');
  parts.push(`approver: ${s.approver ?? 'missing'}`);
  parts.push(`rollback target ${s.rollback_target ?? '(unpin)'}`);
  if (s.status === 'running') parts.push('running');
  else parts.push(`${s.status} ${s.left!.time}${s.left!.to ? ` by ${s.left!.to}` : ''}${s.left!.train ? ` (train ${s.left!.train})` : ''}`);
  return parts.join('; ');
}
