/**
 * `rings verify --probe`: one request to each ring's `/api/health` through the API server's service
 * proxy (`/api/v1/namespaces/<ns>/services/<svc>:<port>/proxy/api/health`), whose `ring.name` must be
 * the ring. Which Service and port, and how an answer is judged, are pure functions here.
 */
import { Finding } from './findings';
import { Obj, ProbeResponse } from './snapshot';

export const HEALTH_PATH = '/api/health';

export interface ProbeTarget {
  readonly namespace: string;
  readonly service: string;
  /** The Service port's name, or its number when unnamed. */
  readonly port: string;
  readonly path: string;
}

/** The API-server proxy path of a target. */
export function proxyPath(t: ProbeTarget): string {
  return `/api/v1/namespaces/${t.namespace}/services/${t.service}:${t.port}/proxy${t.path}`;
}

const probePaths = (c: Obj): Obj[] => [c.readinessProbe, c.livenessProbe, c.startupProbe].map((p) => p?.httpGet).filter(Boolean);

/**
 * Services of the ring's namespace that select a Deployment whose containers answer `/api/health`:
 * the request goes to the Service port that targets that container port.
 */
export function probeTargets(namespace: string, objects: readonly Obj[]): ProbeTarget[] {
  const out: ProbeTarget[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment' && o.metadata?.namespace === namespace);
  for (const s of objects.filter((o) => o.kind === 'Service' && o.metadata?.namespace === namespace && o.spec?.selector)) {
    const sel: Record<string, string> = s.spec.selector;
    const d = deployments.find((x) => Object.entries(sel).every(([k, v]) => x.spec?.template?.metadata?.labels?.[k] === v));
    if (!d) continue;
    for (const c of d.spec.template.spec?.containers ?? []) {
      const get = probePaths(c).find((g) => g.path === HEALTH_PATH);
      if (!get) continue;
      const cport = (c.ports ?? []).find((p: Obj) => p.name === get.port || p.containerPort === get.port);
      const sport = (s.spec.ports ?? []).find(
        (p: Obj) => p.targetPort === get.port || (cport && (p.targetPort === cport.name || p.targetPort === cport.containerPort)) || (p.targetPort === undefined && p.port === cport?.containerPort),
      );
      if (!sport) continue;
      out.push({ namespace, service: s.metadata.name, port: String(sport.name ?? sport.port), path: HEALTH_PATH });
      break;
    }
  }
  return out.sort((a, b) => a.service.localeCompare(b.service));
}

/** The ring a health answer reports: `{"ring": {"name": "canary"}}` (or `{"ring": "canary"}`). */
export function reportedRing(body: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  const ring = (v as Obj | null)?.ring;
  if (typeof ring === 'string') return ring;
  if (ring && typeof ring === 'object' && typeof ring.name === 'string') return ring.name;
  return undefined;
}

/** One finding when the answer is missing, unreadable, or names another ring. */
export function judgeProbe(ring: string, t: ProbeTarget, r: ProbeResponse): Finding[] {
  const object = `Service ${t.namespace}/${t.service}`;
  const at = `GET ${proxyPath(t)}`;
  if (!r.answered) return [{ ring, check: 'probe', object, message: `${at} failed: ${r.body.split('\n')[0].trim() || 'no answer'}` }];
  const got = reportedRing(r.body);
  if (got === undefined) return [{ ring, check: 'probe', object, message: `${at} answered without a ring.name (expected JSON such as {"ring":{"name":"${ring}"}})` }];
  if (got !== ring) return [{ ring, check: 'probe', object, message: `${at} reports ring ${JSON.stringify(got)}, expected ${JSON.stringify(ring)} (the pods did not get this ring's RING_NAME)` }];
  return [];
}
