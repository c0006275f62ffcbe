/**
 * A ring's NetworkPolicies: default deny for the ring's own pods (selected by `ring: <name>`, so the
 * shared layer's pods in the home namespace are never selected and never cut off), then one policy
 * per component opening exactly what it needs.
 */
import { Construct } from 'constructs';
import { ComponentSpec } from './component';
import * as k8s from './k8s';
import { RING_LABEL, selectorLabels, standardLabels } from './labels';
import { SharedServiceRef } from './shared-aliases';

export interface RingNetworkPoliciesProps {
  readonly ring: string;
  readonly namespace: string;
  readonly homeNamespace: string;
  readonly partOf: string;
  readonly components: readonly ComponentSpec[];
  readonly sharedServices: readonly SharedServiceRef[];
  /** @default "ingress-nginx" */
  readonly ingressControllerNamespace?: string;
}

const NS_NAME = 'kubernetes.io/metadata.name';

export class RingNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: RingNetworkPoliciesProps) {
    super(scope, id);
    const labels = (name: string) => standardLabels({ name, partOf: props.partOf, component: 'network-policy', ring: props.ring });
    const ringPods = { matchLabels: { [RING_LABEL]: props.ring } };
    const policy = (cid: string, name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, cid, { metadata: { name, namespace: props.namespace, labels: labels(name) }, spec });

    policy('default-deny', 'ring-default-deny', { podSelector: ringPods, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns', 'ring-allow-dns', {
      podSelector: ringPods,
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { [NS_NAME]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
            { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
          ],
        },
      ],
    });

    const portOf = new Map(props.components.map((c) => [c.name, c.port]));
    const sharedPorts = [...new Set(props.sharedServices.map((s) => s.port))].sort((a, b) => a - b);
    for (const c of props.components) {
      const ingress: k8s.NetworkPolicyIngressRule[] = [];
      if (c.port && c.reachableFrom?.ingressController) {
        ingress.push({
          from: [{ namespaceSelector: { matchLabels: { [NS_NAME]: props.ingressControllerNamespace ?? 'ingress-nginx' } } }],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(c.port) }],
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
      if (c.reaches?.sharedServices && sharedPorts.length) {
        // ExternalName aliases resolve to the home namespace's Services; policies see the home pods.
        egress.push({
          to: [{ namespaceSelector: { matchLabels: { [NS_NAME]: props.homeNamespace } } }],
          ports: sharedPorts.map((p) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) })),
        });
      }
      if (c.reaches?.internetPorts?.length) {
        egress.push({
          to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
          ports: [...c.reaches.internetPorts].sort((a, b) => a - b).map((p) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) })),
        });
      }
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
