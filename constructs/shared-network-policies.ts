/**
 * The shared layer's NetworkPolicies, in the home namespace: default deny for every shared-layer pod;
 * each service admits the rings' client pods (api, horizon) from every ring namespace (selected by
 * the label every ring Namespace carries, so a ring added later needs no edit) on its own port, and
 * the public ones also the ingress controller; egress is DNS plus the internet ports each may use.
 * An external service (CNPG, MinIO) gets an ingress policy when its pods are named by a selector.
 */
import { Construct } from 'constructs';
import * as k8s from './k8s';
import { standardLabels } from './labels';
import { controllerPeer, ControllerPeerProps, dnsEgressRule, DnsPeerProps, internetEgressRule, RING_NAMESPACE_LABEL, tcpPorts } from './policy-peers';

export interface SharedPolicyService {
  readonly name: string;
  readonly port: number;
  /** Served through the ingress controller (a public host). @default false */
  readonly public?: boolean;
  /** TCP ports it may reach outside the cluster. @default [] */
  readonly internetPorts?: readonly number[];
  /**
   * Rings in other clusters reach it (at its remote_host, through whatever exposes it: a load balancer,
   * an east-west gateway): its port is admitted from any address, as they arrive from outside. @default false
   */
  readonly remoteClients?: boolean;
}

export interface SharedPolicyExternal {
  readonly name: string;
  readonly port: number;
  /** Labels of its pods; without it, no policy is made (the service is outside the project's policies). @default none */
  readonly podSelector?: Readonly<Record<string, string>>;
  /** Rings in other clusters reach it: its port is also admitted from any address. @default false */
  readonly remoteClients?: boolean;
}

export interface SharedNetworkPoliciesProps {
  readonly namespace: string;
  /** `app.kubernetes.io/part-of`; ring Namespaces carry `rings.cdk8s.io/ring-namespace-of: <partOf>`. */
  readonly partOf: string;
  readonly services: readonly SharedPolicyService[];
  /** @default [] */
  readonly external?: readonly SharedPolicyExternal[];
  /** Names (`app.kubernetes.io/name`) of the ring pods that use the shared services. @default ["api", "horizon"] */
  readonly clients?: readonly string[];
  /** @default the namespace named "ingress-nginx" */
  readonly ingressController?: ControllerPeerProps;
  /** @default kube-dns in kube-system */
  readonly dns?: DnsPeerProps;
}

/** Rings in other clusters arrive from outside this cluster, from addresses no selector names: the port, from anywhere. */
const fromOtherClusters = (port: number): k8s.NetworkPolicyIngressRule => ({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: tcpPorts([port]) });

export class SharedNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: SharedNetworkPoliciesProps) {
    super(scope, id);
    const services = [...props.services].sort((a, b) => a.name.localeCompare(b.name));
    if (!services.length) return;
    const labels = (name: string) => standardLabels({ name, partOf: props.partOf, component: 'network-policy' });
    const policy = (name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, name, { metadata: { name, namespace: props.namespace, labels: labels(name) }, spec });
    // Shared-layer pods carry no ring label; the home ring's own pods (which do) keep their own policies.
    const sharedPods: k8s.LabelSelector = {
      matchExpressions: [
        { key: 'app.kubernetes.io/name', operator: 'In', values: services.map((s) => s.name) },
        { key: 'ring', operator: 'DoesNotExist' },
      ],
    };
    policy('shared-default-deny', { podSelector: sharedPods, policyTypes: ['Ingress', 'Egress'] });
    policy('shared-allow-dns', { podSelector: sharedPods, policyTypes: ['Egress'], egress: [dnsEgressRule(props.dns)] });
    const clients: k8s.NetworkPolicyPeer = {
      namespaceSelector: { matchLabels: { [RING_NAMESPACE_LABEL]: props.partOf } },
      podSelector: {
        matchExpressions: [
          { key: 'app.kubernetes.io/name', operator: 'In', values: [...(props.clients ?? ['api', 'horizon'])].sort() },
          { key: 'ring', operator: 'Exists' },
        ],
      },
    };
    for (const s of services) {
      const ingress: k8s.NetworkPolicyIngressRule[] = [{ from: [clients], ports: tcpPorts([s.port]) }];
      if (s.public) ingress.push({ from: [controllerPeer(props.ingressController)], ports: tcpPorts([s.port]) });
      if (s.remoteClients) ingress.push(fromOtherClusters(s.port));
      const egress = s.internetPorts?.length ? [internetEgressRule(s.internetPorts)] : [];
      policy(`shared-allow-${s.name}`.slice(0, 63).replace(/-+$/, ''), {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': s.name }, matchExpressions: [{ key: 'ring', operator: 'DoesNotExist' }] },
        policyTypes: egress.length ? ['Ingress', 'Egress'] : ['Ingress'],
        ingress,
        ...(egress.length ? { egress } : {}),
      });
    }
    for (const e of [...(props.external ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.podSelector || !Object.keys(e.podSelector).length) continue;
      // Ingress only: what else its pods need (their operator, replication) is their owner's to admit.
      policy(`shared-allow-${e.name}`.slice(0, 63).replace(/-+$/, ''), {
        podSelector: { matchLabels: { ...e.podSelector } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [clients], ports: tcpPorts([e.port]) }, ...(e.remoteClients ? [fromOtherClusters(e.port)] : [])],
      });
    }
  }
}
