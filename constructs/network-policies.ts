/**
 * A ring's NetworkPolicies: default deny for the ring's own pods (selected by `ring: <name>`, so the
 * shared layer's pods in the home namespace are never selected and never cut off), then one policy
 * per component opening exactly what it needs.
 */
import { Construct } from 'constructs';
import { ComponentSpec } from './component';
import * as k8s from './k8s';
import { RING_LABEL, selectorLabels, standardLabels } from './labels';
import { controllerPeer, ControllerPeerProps, dnsEgressRule, DnsPeerProps, internetEgressRule, NAMESPACE_NAME_LABEL, tcpPorts } from './policy-peers';
import { SharedServiceRef } from './shared-aliases';

export interface RingNetworkPoliciesProps {
  readonly ring: string;
  readonly namespace: string;
  readonly homeNamespace: string;
  readonly partOf: string;
  readonly components: readonly ComponentSpec[];
  readonly sharedServices: readonly SharedServiceRef[];
  /**
   * The ring runs in another cluster than the shared services: they are reached at their `remoteHost`,
   * a DNS name no NetworkPolicy can name, so the egress allows their ports to any address. @default false
   */
  readonly remoteSharedServices?: boolean;
  /** @default "ingress-nginx" */
  readonly ingressControllerNamespace?: string;
  /** Selects the ingress controller by labels instead (wins over `ingressControllerNamespace`). @default by name */
  readonly ingressController?: ControllerPeerProps;
  /** @default kube-dns in kube-system, no NodeLocal DNSCache */
  readonly dns?: DnsPeerProps;
}

const NS_NAME = NAMESPACE_NAME_LABEL;

export class RingNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: RingNetworkPoliciesProps) {
    super(scope, id);
    const labels = (name: string) => standardLabels({ name, partOf: props.partOf, component: 'network-policy', ring: props.ring });
    const ringPods = { matchLabels: { [RING_LABEL]: props.ring } };
    const policy = (cid: string, name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, cid, { metadata: { name, namespace: props.namespace, labels: labels(name) }, spec });

    policy('default-deny', 'ring-default-deny', { podSelector: ringPods, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns', 'ring-allow-dns', { podSelector: ringPods, policyTypes: ['Egress'], egress: [dnsEgressRule(props.dns)] });

    const portOf = new Map(props.components.map((c) => [c.name, c.port]));
    // One rule per shared service: its port, to its pods only (or, for an external service without a
    // pod selector, to the home namespace on that port).
    const sharedRules: k8s.NetworkPolicyEgressRule[] = [];
    const seen = new Set<string>();
    if (props.remoteSharedServices && props.sharedServices.length) {
      // A DNS name cannot be matched by a selector or an ipBlock: the declared ports, to any address.
      sharedRules.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: tcpPorts(props.sharedServices.map((s) => s.port)) });
    }
    for (const s of props.remoteSharedServices ? [] : [...props.sharedServices].sort((a, b) => a.name.localeCompare(b.name))) {
      const pods = s.podSelector ?? (s.external ? undefined : { 'app.kubernetes.io/name': s.name });
      const rule: k8s.NetworkPolicyEgressRule = {
        to: [{ namespaceSelector: { matchLabels: { [NS_NAME]: props.homeNamespace } }, ...(pods ? { podSelector: { matchLabels: { ...pods } } } : {}) }],
        ports: tcpPorts([s.port]),
      };
      const key = JSON.stringify(rule);
      if (!seen.has(key)) sharedRules.push(rule);
      seen.add(key);
    }
    for (const c of props.components) {
      const ingress: k8s.NetworkPolicyIngressRule[] = [];
      if (c.port && c.reachableFrom?.ingressController) {
        ingress.push({
          from: [controllerPeer(props.ingressController ?? { namespaceLabels: { [NS_NAME]: props.ingressControllerNamespace ?? 'ingress-nginx' } })],
          ports: tcpPorts([c.port]),
        });
      }
      if (c.port && c.reachableFrom?.components?.length) {
        ingress.push({
          from: [...c.reachableFrom.components].sort().map((from) => ({ podSelector: { matchLabels: selectorLabels(from, props.ring) } })),
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(c.port) }],
        });
      }
      const egress: k8s.NetworkPolicyEgressRule[] = [];
      for (const to of [...(c.reaches?.components ?? [])].sort()) {
        const port = portOf.get(to);
        if (port) egress.push({ to: [{ podSelector: { matchLabels: selectorLabels(to, props.ring) } }], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }] });
      }
      // ExternalName aliases resolve to the home namespace's Services; policies see the home pods.
      if (c.reaches?.sharedServices) egress.push(...sharedRules);
      if (c.reaches?.internetPorts?.length) egress.push(internetEgressRule(c.reaches.internetPorts));
      if (!ingress.length && !egress.length) continue;
      const types = [...(ingress.length ? ['Ingress'] : []), ...(egress.length ? ['Egress'] : [])];
      policy(`allow-${c.name}`, `ring-allow-${c.name}`, {
        podSelector: { matchLabels: selectorLabels(c.name, props.ring) },
        policyTypes: types,
        ...(ingress.length ? { ingress } : {}),
        ...(egress.length ? { egress } : {}),
      });
    }
  }
}
