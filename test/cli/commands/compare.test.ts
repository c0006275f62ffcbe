/** `rings compare A B --only values`: the runbook's review step shows every value change, each line readable. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { rings } from '../../operate/import/support';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rings-compare-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const deployment = (memory: string, cpu: string, probePath: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: api
          image: registry.example.com/shop/app:1.4.0
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: ${cpu}
              memory: ${memory}
          readinessProbe:
            httpGet:
              path: ${probePath}
              port: 8000
`;
const ingress = (secret: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: tenants
  namespace: shop
spec:
  tls:
    - hosts: ["*.stable.shop.example.com", "acme.shop.example.com", "globex.shop.example.com"]
      secretName: ${secret}
`;

test('compareOnlyValuesShowsResourcesAndProbes: a memory limit cut, a probe moved; 1 and 1000m the same; Ingress lines differ', async () => {
  const a = path.join(tmp, 'theirs.yaml');
  const b = path.join(tmp, 'ours.yaml');
  fs.writeFileSync(a, `${deployment('512Mi', '"1"', '/health')}---\n${ingress('wildcard-stable-tls')}`);
  fs.writeFileSync(b, `${deployment('384Mi', '1000m', '/api/health')}---\n${ingress('wildcard-stable-tls-2026')}`);
  const r = await rings(['compare', a, b, '--only', 'values']);
  expect(r.code).toBe(1);
  const lines = r.stdout.split('\n');
  expect(lines).toContain('    ~ spec.template.spec.containers[name=api].resources.limits.memory: "512Mi" → "384Mi"  [values]');
  expect(lines).toContain('    ~ spec.template.spec.containers[name=api].readinessProbe.httpGet.path: "/health" → "/api/health"  [values]');
  expect(r.stdout).not.toContain('limits.cpu');
  const tls = lines.filter((l) => /^    [-+] spec\.tls\[/.test(l));
  expect(tls).toHaveLength(2);
  expect(tls[0].slice(5)).not.toBe(tls[1].slice(5));
  expect(tls[1]).toContain('wildcard-stable-tls-2026');
  // Failing case: the same two files, nothing changed, exit 0.
  const same = await rings(['compare', a, a, '--only', 'values']);
  expect(same.code).toBe(0);
});
