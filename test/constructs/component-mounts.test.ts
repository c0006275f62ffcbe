/** validateComponent refuses mounts the API server would reject: one folder twice, one volume name twice. */
import { ComponentSpec, validateComponent } from '../../constructs';

const base: ComponentSpec = {
  name: 'web',
  image: 'example/web:1.0.0',
  replicas: 1,
  cpuRequestMillicores: 100,
  cpuLimitMillicores: 200,
  memoryRequestMib: 64,
  memoryLimitMib: 128,
  probe: { kind: 'tcp', port: 8080 },
};

test('component mounts: distinct folders pass', () => {
  expect(validateComponent({ ...base, writablePaths: ['/tmp', '/var/cache'], configMounts: [{ configMap: 'conf', mountPath: '/etc/web' }] })).toEqual([]);
});

test('component mounts: a folder twice, a volume name twice and a folder over a config mount are refused', () => {
  expect(validateComponent({ ...base, writablePaths: ['/tmp', '/tmp/', '/a-b', '/a/b', '/etc/web'], configMounts: [{ configMap: 'conf', mountPath: '/etc/web/' }] })).toEqual([
    'component web: writable path "/tmp/" mounts the same folder as writable path "/tmp"; list each folder once',
    'component web: writable path "/a/b" gets the volume name writable-a-b, as writable path "/a-b" does; rename one of the folders',
    'component web: ConfigMap conf at "/etc/web/" mounts the same folder as writable path "/etc/web"; list each folder once',
  ]);
});
