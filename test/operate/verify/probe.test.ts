/**
 * `--probe`: which Service and port answer /api/health (from the synthesized objects), and how an
 * answer is judged. The failure text is the one a Kubernetes 1.29 API server gave for a KWOK pod
 * (fake IPs: nothing answers), recorded by the cluster test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { judgeProbe, probeTargets, proxyPath, reportedRing } from '../../../src/operate/verify/probe';

const expected = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'verify', 'expected.json'), 'utf8'));
const target = { namespace: 'autocom-canary', service: 'api', port: 'http', path: '/api/health' };

describe('probe targets', () => {
  test('the api Service of each ring, on the port that reaches the container answering /api/health', () => {
    for (const r of expected.rings) expect(probeTargets(r.namespace, expected.objects)).toEqual([{ ...target, namespace: r.namespace }]);
    expect(proxyPath(target)).toBe('/api/v1/namespaces/autocom-canary/services/api:http/proxy/api/health');
  });
  test('none when no Deployment probes /api/health', () => expect(probeTargets('autocom-canary', expected.objects.filter((o: any) => o.kind !== 'Deployment'))).toEqual([]));
});

describe('probe: /api/health reports the ring', () => {
  test('passes when ring.name is the ring (object or string form)', () => {
    expect(judgeProbe('canary', target, { target: 'x', answered: true, body: '{"status":"ok","ring":{"name":"canary","lock":"/etc/rings/canary.lock.json"}}' })).toEqual([]);
    expect(reportedRing('{"ring":"canary"}')).toBe('canary');
  });
  test('fails when the pod reports another ring (fell back to stable)', () =>
    expect(judgeProbe('canary', target, { target: 'x', answered: true, body: '{"ring":{"name":"stable"}}' })).toEqual([
      {
        ring: 'canary',
        check: 'probe',
        object: 'Service autocom-canary/api',
        message: 'GET /api/v1/namespaces/autocom-canary/services/api:http/proxy/api/health reports ring "stable", expected "canary" (the pods did not get this ring\'s RING_NAME)',
      },
    ]));
  test('fails when the answer has no ring.name', () =>
    expect(judgeProbe('canary', target, { target: 'x', answered: true, body: '<html>ok</html>' })[0].message).toMatch(/answered without a ring.name/));
  test('fails cleanly, one line, when nothing answers (recorded from a 1.29 API server and KWOK pods)', () => {
    const f = judgeProbe('canary', target, { target: 'x', answered: false, body: 'Error from server (Forbidden): resolve_deny: denied destination' });
    expect(f.map((x) => x.message)).toEqual(['GET /api/v1/namespaces/autocom-canary/services/api:http/proxy/api/health failed: Error from server (Forbidden): resolve_deny: denied destination']);
  });
});
