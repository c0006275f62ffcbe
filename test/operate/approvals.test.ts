/**
 * Signed approvals, the pure rules (approvals.ts): the commit message and its trailers, the approvers
 * file, the trust chain of rings/approvers and whether an approval counts — on git's verdicts as data
 * (`%G?`, `%GS`, `%GK`). The same rules end to end, with git verifying real signatures, are in
 * approvals-e2e.test.ts. Also the ring-file keys and Go durations (train items: train-items.test.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ApprovalQuery,
  ApprovalRecord,
  approvalMessage,
  approvalProblem,
  approvalStatus,
  approversChainVerdict,
  ApproversChange,
  imageCandidate,
  keyFingerprint,
  moduleCandidate,
  parseApprovalClaim,
  parseApprovers,
  parseTrailers,
  principalsOfKey,
} from '../../src/operate/approvals';
import { emailOf } from '../../src/cli/approval-gate';
import { parseGoDuration } from '../../src/model/go-duration';
import { edit, exampleSources, parse, problemsOf } from '../support/registry-fixture';

const SHA = '9da85803c0043b3cf075beaa6d65297f50c46d9fb38f1f5a3c08331c8ddd5b4f';
const payments = moduleCandidate('payments', '3.2.0', SHA);
const draft = {
  to: 'stable',
  from: 'edge',
  items: [{ candidate: payments, window: 'edge 2026-11-05T11:00:00Z/2026-11-23T12:00:00Z', rollbackTarget: 'payments@3.1.0', waived: ['soak'] }],
  approvedAt: '2026-11-23T12:00:00Z',
  approver: 'bob@example.test',
  actor: 'Bob <bob@example.test>',
  reason: 'edge clean',
};

/** What git's `%(trailers:only,unfold)` prints of a message: its last paragraph. */
const trailersOf = (message: string) => parseTrailers(message.trimEnd().split('\n\n').pop()!);

describe('the approval commit message', () => {
  test('subject, reason, one line per item, and trailers that parse back into the same claim', () => {
    const m = approvalMessage(draft);
    expect(m.split('\n')[0]).toBe('approve(stable): payments 3.2.0 (sha256 9da85803c004…) from edge');
    expect(m).toContain('\n\nedge clean\n\n');
    const claim = parseApprovalClaim('c1', trailersOf(m));
    expect(claim).toEqual({
      commit: 'c1',
      stage: 'stable',
      from: 'edge',
      candidates: [{ id: 'payments@3.2.0', sha256: SHA }],
      waived: { 'payments@3.2.0': ['soak'] },
      approvedAt: '2026-11-23T12:00:00Z',
      approverTrailer: 'bob@example.test',
      problems: [],
    });
  });
  test('a train: several candidates; a new pin: Rings-From none; an image: its digest', () => {
    const img = imageCandidate('api', `registry.example/api:1.0@sha256:${'b'.repeat(64)}`);
    expect(img.id).toBe(`image:api@sha256:${'b'.repeat(64)}`);
    const m = approvalMessage({ ...draft, from: null, items: [draft.items[0], { ...draft.items[0], candidate: img, waived: [] }] });
    expect(m.split('\n')[0]).toBe('approve(stable): 2 changes');
    const claim = parseApprovalClaim('c', trailersOf(m));
    expect(claim.from).toBeNull();
    expect(claim.candidates.map((c) => c.id)).toEqual(['payments@3.2.0', img.id]);
  });
  test('malformed claims are named', () => {
    expect(parseApprovalClaim('c', [['Rings-Approval', '2']]).problems).toEqual([
      'Rings-Approval: expected 1, got "2"',
      'no Rings-Stage trailer',
      'no Rings-From trailer',
      'no Rings-Candidate trailer',
      'Rings-Approved-At: expected an ISO 8601 time, got null',
    ]);
  });
});

describe('rings/approvers', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-fp-'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'x', '-f', path.join(dir, 'k')]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('keyFingerprint is what ssh-keygen -l prints for the key (and git prints as %GK)', () => {
    const pub = fs.readFileSync(path.join(dir, 'k.pub'), 'utf8').split(' ');
    const l = spawnSync('ssh-keygen', ['-l', '-f', path.join(dir, 'k.pub')], { encoding: 'utf8' }).stdout.split(' ')[1];
    expect(keyFingerprint(pub[1])).toBe(l);
  });
  test('parses principals, options and keys; comments and blank lines are skipped', () => {
    const { entries, problems } = parseApprovers('# approvers\n\nAlice@Example.test,al@example.test namespaces="git,file" valid-after="20260101" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKJj alice laptop\n');
    expect(problems).toEqual([]);
    expect(entries).toEqual([{ line: 3, principals: ['alice@example.test', 'al@example.test'], keyType: 'ssh-ed25519', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIKJj', fingerprint: keyFingerprint('AAAAC3NzaC1lZDI1NTE5AAAAIKJj') }]);
    expect(principalsOfKey(entries, keyFingerprint('AAAAC3NzaC1lZDI1NTE5AAAAIKJj'))).toEqual(['al@example.test', 'alice@example.test']);
    expect(principalsOfKey(entries, 'SHA256:other')).toEqual([]);
  });
  test('refuses patterns, certificate authorities and malformed lines', () => {
    expect(parseApprovers('*@example.test ssh-ed25519 AAAA\nbob@x cert-authority ssh-ed25519 AAAA\nnot a key line\n').problems).toEqual([
      { line: 1, message: 'expected principals that are email addresses (no patterns), got "*@example.test"' },
      { line: 2, message: 'expected a key of one approver, got cert-authority (a CA vouches for principals this file does not name)' },
      { line: 3, message: "expected `<email>[,<email>…] [options] <key type> <base64 key>` (git's allowed_signers format)" },
    ]);
  });
  test('the example rings/approvers parses', () => {
    const text = fs.readFileSync(path.join(__dirname, '../../rings/approvers'), 'utf8');
    expect(parseApprovers(text).problems).toEqual([]);
    expect(parseApprovers(text).entries.map((e) => e.principals)).toEqual([['priya.raman@acme.io'], ['marco.rossi@acme.io']]);
  });
});

describe('approversChainVerdict: the first version trusted as committed, then only changes signed by an approver of the version before', () => {
  const root: ApproversChange = { commit: 'a'.repeat(40), previousExists: false, exists: true, status: 'N', principal: '' };
  const change = (c: string, status: string, more: Partial<ApproversChange> = {}): ApproversChange => ({ commit: c.repeat(40), previousExists: true, exists: true, status, principal: status === 'G' ? 'alice@x' : '', ...more });
  test('passes: the root alone, and signed changes after it', () => {
    expect(approversChainVerdict('rings/approvers', [root])).toEqual({ ok: true, root: root.commit, changes: 1 });
    expect(approversChainVerdict('rings/approvers', [root, change('b', 'G'), change('c', 'G')])).toMatchObject({ ok: true, changes: 3 });
  });
  test('fails: no file, an unsigned change, a key not in the previous version (U), a bad signature, a second first version, a deletion, a shallow history', () => {
    const v = (changes: ApproversChange[]) => {
      const r = approversChainVerdict('rings/approvers', changes);
      return r.ok ? 'ok' : r.problem;
    };
    expect(v([])).toBe('no rings/approvers is committed');
    expect(v([root, change('b', 'N')])).toBe('commit bbbbbbbbbbbb changes rings/approvers but is not signed; a change counts only when signed by an approver already in the file');
    expect(v([root, change('b', 'U')])).toBe('commit bbbbbbbbbbbb changes rings/approvers but is signed by a key that is in no line of the version of rings/approvers before it; a change counts only when signed by an approver already in the file');
    expect(v([root, change('b', 'B')])).toMatch(/^commit bbbbbbbbbbbb changes rings\/approvers but has a signature that does not verify/);
    expect(v([root, change('b', 'G', { exists: false }), change('c', 'N', { previousExists: false })])).toBe('commit cccccccccccc creates rings/approvers again after aaaaaaaaaaaa did; only the first version is trusted as committed');
    expect(v([root, change('b', 'G', { exists: false })])).toBe('commit bbbbbbbbbbbb deleted rings/approvers');
    expect(v([{ ...root, parentMissing: true }])).toMatch(/incomplete \(shallow clone\?\)/);
    expect(v([{ ...root, previousExists: true }])).toBe('the history of rings/approvers does not start with its first version (commit aaaaaaaaaaaa)');
  });
});

describe('approvalStatus: whether an approval counts', () => {
  const claim = parseApprovalClaim('c'.repeat(40), trailersOf(approvalMessage({ ...draft, items: [{ ...draft.items[0], waived: [] }] })));
  const good: ApprovalRecord = { claim, status: 'G', principals: ['bob@example.test'], fingerprint: 'SHA256:bob', chain: { ok: true, root: 'r', changes: 1 }, stillApprover: true };
  const q: ApprovalQuery = {
    candidate: payments,
    to: 'stable',
    from: 'edge',
    now: new Date('2026-11-24T10:00:00Z'),
    validMs: 86_400_000,
    validText: '24h',
    promoters: ['alice@example.test'],
    file: 'rings/approvers',
  };
  const why = (r: Partial<ApprovalRecord>, query: Partial<ApprovalQuery> = {}) => approvalProblem({ ...good, ...r }, { ...q, ...query });

  test('passes: a good signature by an approver who is not the promoter, of this candidate and stage, within approval_valid', () => {
    expect(why({})).toBeUndefined();
    expect(approvalStatus([good], q)).toEqual({ state: 'approved', approval: { approver: 'bob@example.test', commit: good.claim.commit, approvedAt: '2026-11-23T12:00:00Z' }, rejected: [] });
  });
  test('each refusal, named', () => {
    expect(why({ status: 'N', principals: [] })).toBe('is not signed');
    expect(why({ status: 'U', principals: [] })).toBe('is signed by a key that is in no line of rings/approvers as committed before it');
    expect(why({ status: 'U', principals: [], keyAddedInSameCommit: true })).toMatch(/^is signed by a key that the same commit adds to rings\/approvers; a key cannot vouch for itself/);
    expect(why({ status: 'B', principals: [] })).toMatch(/^has a signature that does not verify/);
    expect(why({ chain: { ok: false, problem: 'commit x changes it but is not signed' } })).toBe('was checked against a rings/approvers that is not trusted: commit x changes it but is not signed');
    expect(why({ headChain: { ok: false, problem: 'p' } })).toBe('cannot count while rings/approvers at HEAD is not trusted: p');
    expect(why({ stillApprover: false })).toBe('is signed by bob@example.test, whose key is no longer in rings/approvers');
    expect(why({ principals: ['carol@example.test'] })).toBe('names bob@example.test in its Rings-Approver trailer but is signed by carol@example.test: the approver is the signer, so the trailer is forged');
    expect(why({}, { candidate: moduleCandidate('payments', '3.2.1', SHA) })).toBe('by bob@example.test approves payments@3.2.0 sha256:9da85803c004…, not payments@3.2.1 sha256:9da85803c004…');
    expect(why({}, { candidate: moduleCandidate('payments', '3.2.0', 'e'.repeat(64)) })).toMatch(/approves payments@3\.2\.0 sha256:9da85803c004…, not payments@3\.2\.0 sha256:eeeeeeeeeeee…$/);
    expect(why({}, { from: 'canary' })).toBe('by bob@example.test approves the promotion from edge, not from canary');
    expect(why({}, { now: new Date('2026-11-24T12:00:01Z') })).toBe('by bob@example.test was given at 2026-11-23T12:00:00Z, 1d ago; stable accepts approvals for 24h (approval_valid)');
    expect(why({}, { now: new Date('2026-11-23T11:00:00Z') })).toBe("by bob@example.test was given at 2026-11-23T12:00:00Z, after the promote's clock (2026-11-23T11:00:00Z)");
    expect(why({}, { promoters: ['bob@example.test'] })).toBe('is signed by bob@example.test, who is the promoter: an approval must come from someone else');
    expect(why({}, { waivedByPromotion: ['soak'] })).toBe('by bob@example.test does not waive soak, which this promotion waives with --emergency (approve it with --waive soak --reason TEXT)');
    const retro = { ...good, claim: { ...good.claim, retrospectiveOf: '2026-11-23T10:00:00Z Alice <alice@example.test>' } };
    expect(approvalProblem(retro, q)).toBe('is a retrospective approval (of the emergency promotion of 2026-11-23T10:00:00Z), which approves no new promotion');
  });
  test('the signature is checked first: an unsigned commit is "not signed" whatever else is wrong', () => {
    expect(why({ status: 'N', principals: [] }, { promoters: ['bob@example.test'], from: 'canary' })).toBe('is not signed');
  });
  test('records of other stages and subjects are ignored; the newest that counts wins; refusals are listed newest first', () => {
    const other = { ...good, claim: { ...good.claim, stage: 'edge' } };
    const unsigned = { ...good, status: 'N', principals: [], claim: { ...good.claim, commit: 'd'.repeat(40) } };
    const orders = { ...good, claim: { ...good.claim, candidates: [{ id: 'orders@1.6.0' }] } };
    expect(approvalStatus([other, orders], q)).toEqual({ state: 'missing', rejected: [] });
    expect(approvalStatus([unsigned, good], q)).toMatchObject({ state: 'approved', rejected: [{ commit: 'd'.repeat(40), reason: 'is not signed' }] });
    expect(approvalStatus([unsigned], q)).toEqual({ state: 'missing', rejected: [{ commit: 'd'.repeat(40), reason: 'is not signed' }] });
  });
});

describe('who the promoter is', () => {
  test('emailOf reads "Name <email>" and a bare email, lower-cased; nothing else', () => {
    expect(emailOf('Alice Liddell <Alice@Example.test>')).toBe('alice@example.test');
    expect(emailOf('bob@example.test')).toBe('bob@example.test');
    expect(emailOf('root')).toBeUndefined();
  });
});

describe('ring-file keys', () => {
  test('the example: stable requires approval for 24h and lets an emergency waive it; the others do not', () => {
    const reg = parse(exampleSources());
    expect(reg.rings.map((r) => [r.spec.name, r.spec.require_approval, r.spec.approval_valid, r.spec.emergency_waives_approval])).toEqual([
      ['stable', true, '24h', true],
      ['edge', false, '24h', false],
      ['canary', false, '24h', false],
      ['experimental', false, '24h', false],
    ]);
  });
  test('approval_valid: a positive Go duration', () => {
    expect(parse(edit('stable.toml', 'approval_valid = "24h"', 'approval_valid = "1h30m"')).rings[0].spec.approval_valid).toBe('1h30m');
    expect(problemsOf(edit('stable.toml', 'approval_valid = "24h"', 'approval_valid = "1d"'))).toEqual(['rings/stable.toml: approval_valid: expected a duration such as "30s", "5m" or "1h" (ms, s, m, h), got "1d"']);
    expect(problemsOf(edit('stable.toml', 'approval_valid = "24h"', 'approval_valid = "0s"'))).toContain('rings/stable.toml: approval_valid: expected a positive duration such as "24h" or "90m", got "0s"');
    expect(problemsOf(edit('stable.toml', 'require_approval = true', 'require_approval = "yes"'))).toContain('rings/stable.toml: require_approval: expected true or false, got "yes"');
  });
  test('emergencyWaiverNeedsApproval: emergency_waives_approval only with require_approval = true', () => {
    expect(problemsOf(edit('stable.toml', 'require_approval = true', 'require_approval = false'))).toEqual([
      'rings/stable.toml: emergency_waives_approval: expected require_approval = true alongside it (there is no approval gate to waive), got require_approval = false',
    ]);
  });
  test('parseGoDuration', () => {
    expect([parseGoDuration('24h'), parseGoDuration('1h30m'), parseGoDuration('1.5h'), parseGoDuration('250ms'), parseGoDuration('90s')]).toEqual([86_400_000, 5_400_000, 5_400_000, 250, 90_000]);
    expect([parseGoDuration('1d'), parseGoDuration(''), parseGoDuration('h')]).toEqual([undefined, undefined, undefined]);
  });
});

describe('approversFileProblems (rings check): the form of rings/approvers, and present where a ring requires approval', () => {
  const { approversFileProblems } = require('../../src/cli/approval-gate') as typeof import('../../src/cli/approval-gate');
  const dirWith = (text: string | undefined) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-approvers-check-'));
    if (text !== undefined) fs.writeFileSync(path.join(d, 'approvers'), text);
    return d;
  };
  test('passes: the example', () => {
    expect(approversFileProblems(path.join(__dirname, '../../rings'), parse(exampleSources()))).toEqual([]);
  });
  test('fails: missing while stable requires approval; a pattern principal; no approver at all', () => {
    const reg = parse(exampleSources());
    const none = dirWith(undefined);
    expect(approversFileProblems(none, reg)).toEqual([{ file: path.join(none, 'approvers'), path: '', message: "expected the approvers (git's allowed_signers format), because stable sets require_approval = true; found none" }]);
    const bad = dirWith('*@acme.io ssh-ed25519 AAAA\n');
    expect(approversFileProblems(bad, reg).map((p) => `${p.path}: ${p.message}`)).toEqual(['line 1: expected principals that are email addresses (no patterns), got "*@acme.io"']);
    const empty = dirWith('# nobody yet\n');
    expect(approversFileProblems(empty, reg).map((p) => p.message)).toEqual(['expected at least one approver, because stable requires approval; found none']);
    const noRing = parse(edit('stable.toml', 'require_approval = true\napproval_valid = "24h"\nemergency_waives_approval = true\n', ''));
    expect(approversFileProblems(none, noRing)).toEqual([]);
    for (const d of [none, bad, empty]) fs.rmSync(d, { recursive: true, force: true });
  });
});
