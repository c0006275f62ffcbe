import { validateManifest, validateManifests, validateYamlText } from '../../support/k8s-schema';
import type { Obj } from '../../../src/model/objects';


/** Deep copy of `base` with `edit` applied, so every negative case starts from a known-good object. */
function variant(base: Obj, edit: (o: Obj) => void): Obj {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'rings' };

const namespace: Obj = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels } };

const configMap: Obj = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'web-config', namespace: 'app', labels },
  data: { 'LOG_LEVEL': 'info', 'config.toml': 'a = 1\n' },
};

const secret: Obj = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'web-secret', namespace: 'app' },
  type: 'Opaque',
  data: { password: Buffer.from('s3cret').toString('base64') },
};

const deployment: Obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'app', labels, annotations: { 'rings.example.com/ring': '0' } },
  spec: {
    replicas: 2,
    revisionHistoryLimit: 5,
    selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    template: {
      metadata: { labels },
      spec: {
        serviceAccountName: 'web',
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'web',
            image: 'ghcr.io/example/web:1.2.3',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [
              { name: 'PORT', value: '8080' },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            envFrom: [{ configMapRef: { name: 'web-config' } }, { secretRef: { name: 'web-secret' } }],
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 1, memory: '256Mi' } },
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 10 },
            startupProbe: { tcpSocket: { port: 'http' }, failureThreshold: 30, periodSeconds: 2 },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
      },
    },
  },
};

const service: Obj = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'app', labels },
  spec: {
    type: 'ClusterIP',
    selector: { 'app.kubernetes.io/name': 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
  },
};

const ingress: Obj = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'app' },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['app.example.com'], secretName: 'web-tls' }],
    rules: [
      {
        host: 'app.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] },
      },
    ],
  },
};

const networkPolicy: Obj = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web-allow-ingress', namespace: 'app' },
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'UDP', port: 53 }] }],
  },
};

const resourceQuota: Obj = {
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'app-quota', namespace: 'app' },
  spec: { hard: { 'pods': 20, 'requests.cpu': '4', 'limits.memory': '8Gi' } },
};

const pdb: Obj = {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'app' },
  spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } },
};

const hpa: Obj = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'app' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
  },
};

const serviceAccount: Obj = {
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'web', namespace: 'app' },
  automountServiceAccountToken: false,
};

const role: Obj = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'web-reader', namespace: 'app' },
  rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'], resourceNames: ['web-config'] }],
};

const roleBinding: Obj = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'web-reader', namespace: 'app' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'web-reader' },
  subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'app' }],
};

const externalSecret: Obj = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'db', namespace: 'app', labels },
  spec: {
    refreshInterval: '1h',
    secretStoreRef: { kind: 'ClusterSecretStore', name: 'platform-secrets' },
    target: { name: 'db-credentials', creationPolicy: 'Owner' },
    data: [{ secretKey: 'password', remoteRef: { key: 'db-app', property: 'password' } }],
  },
};

const clusterSecretStore: Obj = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterSecretStore',
  metadata: { name: 'platform-secrets' },
  spec: {
    conditions: [{ namespaces: ['app'] }],
    provider: {
      kubernetes: {
        remoteNamespace: 'secrets-source',
        server: { caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', key: 'ca.crt', namespace: 'secrets-source' } },
        auth: { serviceAccount: { name: 'eso-reader', namespace: 'secrets-source' } },
      },
    },
  },
};

const httpRoute: Obj = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'app' },
  spec: {
    parentRefs: [{ name: 'shared', namespace: 'gateway-system', sectionName: 'https' }],
    hostnames: ['app.example.com'],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'web', port: 80, weight: 1 }],
      },
    ],
  },
};

const gateway: Obj = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'shared', namespace: 'gateway-system' },
  spec: {
    gatewayClassName: 'envoy',
    addresses: [{ type: 'Hostname', value: 'gw.example.com' }, { type: 'IPAddress', value: '10.0.0.7' }],
    listeners: [
      {
        name: 'https',
        protocol: 'HTTPS',
        port: 443,
        hostname: '*.example.com',
        tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'wildcard-tls' }] },
        allowedRoutes: { namespaces: { from: 'All' } },
      },
    ],
  },
};

const gatewayClass: Obj = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'envoy' },
  spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
};

describe('validateManifest accepts valid manifests', () => {
  test.each([
    ['Namespace', namespace],
    ['ConfigMap', configMap],
    ['Secret', secret],
    ['Deployment', deployment],
    ['Service', service],
    ['Ingress', ingress],
    ['NetworkPolicy', networkPolicy],
    ['ResourceQuota', resourceQuota],
    ['PodDisruptionBudget', pdb],
    ['HorizontalPodAutoscaler', hpa],
    ['ServiceAccount', serviceAccount],
    ['Role', role],
    ['RoleBinding', roleBinding],
    ['ExternalSecret', externalSecret],
    ['ClusterSecretStore (kubernetes provider)', clusterSecretStore],
    ['HTTPRoute', httpRoute],
    ['Gateway (Hostname and IPAddress addresses)', gateway],
    ['GatewayClass', gatewayClass],
  ])('%s', (_name, manifest) => {
    expect(validateManifest(manifest)).toEqual([]);
  });

  test('a SecretStore in the same group is found too', () => {
    const store = variant(clusterSecretStore, (o) => {
      o.kind = 'SecretStore';
      o.metadata.namespace = 'app';
      delete o.spec.conditions;
    });
    expect(validateManifest(store)).toEqual([]);
  });

  test('the served Gateway API v1beta1 version is known as well', () => {
    expect(validateManifest({ ...httpRoute, apiVersion: 'gateway.networking.k8s.io/v1beta1' })).toEqual([]);
  });
});

describe('validateManifest rejects invalid manifests', () => {
  test('misspelled container field (strict mode)', () => {
    const bad = variant(deployment, (o) => {
      const c = o.spec.template.spec.containers[0];
      c.resourcez = c.resources;
      delete c.resources;
    });
    expect(validateManifest(bad)).toEqual([
      'Deployment/app/web: /spec/template/spec/containers/0 must NOT have additional properties (additionalProperty: "resourcez")',
    ]);
  });

  test('misspelled metadata field', () => {
    const bad = variant(configMap, (o) => {
      o.metadata.lables = o.metadata.labels;
      delete o.metadata.labels;
    });
    expect(validateManifest(bad)).toEqual([
      'ConfigMap/app/web-config: /metadata must NOT have additional properties (additionalProperty: "lables")',
    ]);
  });

  test('stray top-level key', () => {
    expect(validateManifest({ ...namespace, spec2: {} })).toEqual([
      'Namespace/app: / must NOT have additional properties (additionalProperty: "spec2")',
    ]);
  });

  test('replicas given as a string', () => {
    const bad = variant(deployment, (o) => { o.spec.replicas = 'two'; });
    expect(validateManifest(bad)).toEqual(['Deployment/app/web: /spec/replicas must be integer']);
  });

  test('replicas outside int32', () => {
    const bad = variant(deployment, (o) => { o.spec.replicas = 3e10; });
    expect(validateManifest(bad)).toEqual(['Deployment/app/web: /spec/replicas must match format "int32"']);
  });

  test('missing required field', () => {
    const bad = variant(deployment, (o) => { delete o.spec.selector; });
    expect(validateManifest(bad)).toEqual(["Deployment/app/web: /spec must have required property 'selector'"]);
  });

  test('Service port given as a string', () => {
    const bad = variant(service, (o) => { o.spec.ports[0].port = '80'; });
    expect(validateManifest(bad)).toEqual(['Service/app/web: /spec/ports/0/port must be integer']);
  });

  test('label value given as a number', () => {
    const bad = variant(namespace, (o) => { o.metadata.labels.ring = 1; });
    expect(validateManifest(bad)).toEqual(['Namespace/app: /metadata/labels/ring must be string']);
  });

  test('unknown kind', () => {
    expect(validateManifest({ ...deployment, kind: 'Deploymnet' })).toEqual([
      'Deploymnet/app/web: unknown apiVersion/kind apps/v1 Deploymnet',
    ]);
  });

  test('removed API version', () => {
    expect(validateManifest({ ...deployment, apiVersion: 'extensions/v1beta1' })).toEqual([
      'Deployment/app/web: unknown apiVersion/kind extensions/v1beta1 Deployment',
    ]);
  });

  test('non-deployable and unserved kinds are unknown', () => {
    expect(validateManifest({ apiVersion: 'v1', kind: 'List', items: [] })).toEqual([
      'List/<no name>: unknown apiVersion/kind v1 List',
    ]);
    expect(validateManifest({ apiVersion: 'v1', kind: 'Status', metadata: {} })).toEqual([
      'Status/<no name>: unknown apiVersion/kind v1 Status',
    ]);
    // ESO v1beta1 is in the CRD but `served: false`.
    expect(validateManifest({ ...externalSecret, apiVersion: 'external-secrets.io/v1beta1' })).toEqual([
      'ExternalSecret/app/db: unknown apiVersion/kind external-secrets.io/v1beta1 ExternalSecret',
    ]);
    // CRD kinds are matched case-sensitively (file names are lower case).
    expect(validateManifest({ ...httpRoute, kind: 'HttpRoute' })).toEqual([
      'HttpRoute/app/web: unknown apiVersion/kind gateway.networking.k8s.io/v1 HttpRoute',
    ]);
  });

  test('missing apiVersion, and non-objects', () => {
    expect(validateManifest({ kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual([
      'ConfigMap/x: missing apiVersion or kind (apiVersion=undefined, kind="ConfigMap")',
    ]);
    expect(validateManifest(null)).toEqual(['<not an object>: manifest must be an object, got null']);
    expect(validateManifest([deployment])).toEqual(['<not an object>: manifest must be an object, got array']);
  });

  test('Secret data value that is not base64', () => {
    const bad = variant(secret, (o) => { o.data.password = 'not base64!'; });
    expect(validateManifest(bad)).toEqual(['Secret/app/web-secret: /data/password must match format "byte"']);
  });

  test('ExternalSecret with a misspelled field', () => {
    const bad = variant(externalSecret, (o) => {
      o.spec.secretStoreReff = o.spec.secretStoreRef;
      delete o.spec.secretStoreRef;
    });
    expect(validateManifest(bad)).toEqual([
      'ExternalSecret/app/db: /spec must NOT have additional properties (additionalProperty: "secretStoreReff")',
    ]);
  });

  test('every release of the support matrix must accept a custom resource: a field only ESO v2.9.0 knows fails on v0.19.2 (Kubernetes 1.29)', () => {
    const newer = variant(externalSecret, (o) => { o.spec.syncWindows = { kind: 'allow', windows: [{ schedule: '0 2 * * *', duration: '1h' }] }; });
    expect(validateManifest(newer)).toEqual([
      'ExternalSecret/app/db: /spec must NOT have additional properties (additionalProperty: "syncWindows") (external-secrets v0.19.2)',
    ]);
    expect(validateManifest(externalSecret)).toEqual([]);
  });

  test('Certificate is checked against the real cert-manager v1.19.4 CRD', () => {
    const cert: Obj = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'wildcard', namespace: 'app' },
      spec: { secretName: 'wildcard-tls', dnsNames: ['*.example.com'], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
    };
    expect(validateManifest(cert)).toEqual([]);
    expect(validateManifest(variant(cert, (o) => { o.spec.dnsName = o.spec.dnsNames; }))).toEqual([
      'Certificate/app/wildcard: /spec must NOT have additional properties (additionalProperty: "dnsName")',
    ]);
  });

  test('ReferenceGrant is checked against the real Gateway API CRDs (v1.3.0 and v1.6.1)', () => {
    const grant: Obj = {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'from-routes', namespace: 'app' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'edge' }], to: [{ group: '', kind: 'Service' }] },
    };
    expect(validateManifest(grant)).toEqual([]);
    expect(validateManifest(variant(grant, (o) => { o.spec.from[0].namespaces = ['edge']; }))).toEqual([
      'ReferenceGrant/app/from-routes: /spec/from/0 must NOT have additional properties (additionalProperty: "namespaces")',
    ]);
  });

  test('CRD metadata is checked against the core ObjectMeta', () => {
    const bad = variant(externalSecret, (o) => { o.metadata.lables = {}; });
    expect(validateManifest(bad)).toEqual([
      'ExternalSecret/app/db: /metadata must NOT have additional properties (additionalProperty: "lables")',
    ]);
  });

  test('ExternalSecret enum value', () => {
    const bad = variant(externalSecret, (o) => { o.spec.secretStoreRef.kind = 'Store'; });
    expect(validateManifest(bad)).toEqual([
      'ExternalSecret/app/db: /spec/secretStoreRef/kind must be equal to one of the allowed values (allowed: "SecretStore", "ClusterSecretStore")',
    ]);
  });

  test('ClusterSecretStore kubernetes provider with a misspelled field', () => {
    const bad = variant(clusterSecretStore, (o) => { o.spec.provider.kubernetes.remoteNamespaces = 'x'; });
    expect(validateManifest(bad)).toEqual([
      'ClusterSecretStore/platform-secrets: /spec/provider/kubernetes must NOT have additional properties (additionalProperty: "remoteNamespaces")',
    ]);
  });

  test('HTTPRoute backendRef port given as a string', () => {
    const bad = variant(httpRoute, (o) => { o.spec.rules[0].backendRefs[0].port = '80'; });
    expect(validateManifest(bad)).toEqual(['HTTPRoute/app/web: /spec/rules/0/backendRefs/0/port must be integer']);
  });

  test('HTTPRoute path type that is not in the enum', () => {
    const bad = variant(httpRoute, (o) => { o.spec.rules[0].matches[0].path.type = 'Prefix'; });
    expect(validateManifest(bad)).toEqual([
      'HTTPRoute/app/web: /spec/rules/0/matches/0/path/type must be equal to one of the allowed values (allowed: "Exact", "PathPrefix", "RegularExpression")',
    ]);
  });

  test('Gateway IPAddress that is not an IP', () => {
    const bad = variant(gateway, (o) => { o.spec.addresses = [{ type: 'IPAddress', value: '999.0.0.1' }]; });
    const errors = validateManifest(bad);
    expect(errors).toContain('Gateway/gateway-system/shared: /spec/addresses/0/value must match format "ipv4"');
    expect(errors).toContain('Gateway/gateway-system/shared: /spec/addresses/0 must match exactly one schema in oneOf');
  });
});

describe('validateManifests', () => {
  test('concatenates the errors of all objects in order', () => {
    const bad1 = variant(service, (o) => { o.spec.ports[0].port = '80'; });
    const bad2 = { ...configMap, spec: {} };
    expect(validateManifests([namespace, bad1, configMap, bad2])).toEqual([
      'Service/app/web: /spec/ports/0/port must be integer',
      'ConfigMap/app/web-config: / must NOT have additional properties (additionalProperty: "spec")',
    ]);
    expect(validateManifests([namespace, deployment, httpRoute])).toEqual([]);
  });
});

describe('validateYamlText', () => {
  test('accepts a valid multi-document stream (empty documents are skipped)', () => {
    const text = [
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: app',
      '  labels:',
      '    ring: "0"',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: c, namespace: app}',
      'data:',
      '  enabled: "yes"',
      '  date: 2024-01-01',
      '---',
      '',
    ].join('\n');
    expect(validateYamlText(text, 'good.yaml')).toEqual([]);
  });

  test('reports duplicate keys and validates the other documents', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: c, namespace: app}',
      'data:',
      '  a: x',
      '  a: y',
      '---',
      'apiVersion: apps/v1',
      'kind: Deploymnet',
      'metadata: {name: web}',
    ].join('\n');
    const errors = validateYamlText(text, 'dup.yaml');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^dup\.yaml: document 1: YAML error DUPLICATE_KEY: Map keys must be unique/);
    expect(errors[1]).toBe('dup.yaml: document 2: Deploymnet/web: unknown apiVersion/kind apps/v1 Deploymnet');
  });

  test('reads YAML 1.1 like kubectl: an unquoted yes is a boolean', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  enabled: yes\n';
    expect(validateYamlText(text, 'bool.yaml')).toEqual(['bool.yaml: document 1: ConfigMap/c: /data/enabled must be string']);
  });
});
