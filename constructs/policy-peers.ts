/**
 * Peers the NetworkPolicies of the rings and of the shared layer have in common: cluster DNS (with
 * the NodeLocal DNSCache address when the cluster runs it), the ingress controller (selected by
 * namespace labels, not only by name), the ring namespaces, outside the cluster.
 */
import * as k8s from './k8s';
import { ANNOTATION_PREFIX } from './labels';

/** Label every ring Namespace carries (`<platform>`): the shared layer admits ring pods by it, so a ring added later needs no policy edit. */
export const RING_NAMESPACE_LABEL = `${ANNOTATION_PREFIX}/ring-namespace-of`;
/** The label the API server puts on every Namespace. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** NodeLocal DNSCache's usual link-local listen address. */
export const NODE_LOCAL_DNS_ADDRESS = '169.254.20.10';

export interface DnsPeerProps {
  /** Labels of the namespace the DNS pods run in. @default { "kubernetes.io/metadata.name": "kube-system" } */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Labels of the DNS pods. @default { "k8s-app": "kube-dns" } */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** NodeLocal DNSCache: also allow this node-local address (pods' queries go to the cache on their node). @default none */
  readonly nodeLocalAddress?: string;
}

/** Who sits in front of the public components: the ingress controller or a Gateway's data plane. */
export interface ControllerPeerProps {
  /** Labels of its namespace. @default { "kubernetes.io/metadata.name": "ingress-nginx" } */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Labels of its pods. @default every pod of that namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
}

const tcp = (p: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) });
export const tcpPorts = (ports: readonly number[]): k8s.NetworkPolicyPort[] => [...new Set(ports)].sort((a, b) => a - b).map(tcp);

export function dnsEgressRule(dns: DnsPeerProps = {}): k8s.NetworkPolicyEgressRule {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { ...(dns.namespaceLabels ?? { [NAMESPACE_NAME_LABEL]: 'kube-system' }) } },
        podSelector: { matchLabels: { ...(dns.podLabels ?? { 'k8s-app': 'kube-dns' }) } },
      },
      ...(dns.nodeLocalAddress ? [{ ipBlock: { cidr: `${dns.nodeLocalAddress}/32` } }] : []),
    ],
    ports: [
      { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
      { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
    ],
  };
}

export function controllerPeer(c: ControllerPeerProps = {}): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { ...(c.namespaceLabels ?? { [NAMESPACE_NAME_LABEL]: 'ingress-nginx' }) } },
    ...(c.podLabels && Object.keys(c.podLabels).length ? { podSelector: { matchLabels: { ...c.podLabels } } } : {}),
  };
}

/** Outside the cluster: everything but the private ranges. */
export function internetEgressRule(ports: readonly number[]): k8s.NetworkPolicyEgressRule {
  return { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: tcpPorts(ports) };
}
