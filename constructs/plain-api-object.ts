/**
 * An ApiObject whose body is plain JSON data, rendered without cdk8s's per-value resolve pass
 * when that pass cannot change anything.
 *
 * Why: `ApiObject.toJson()` walks every value through the app's resolvers (allocating a context and
 * a key path per value), then copies it again to sort keys. On a tenant Ingress with thousands of
 * rules that was a third of synth time. For plain data (strings, numbers, booleans, plain objects
 * and arrays) the built-in resolvers (Lazy, implicit tokens, number/string unions) never match, so
 * resolve is an identity copy: sorting and dropping null/undefined is all that is left, and this
 * class does exactly that. With a custom resolver on the App, a JSON patch on the object, or
 * CDK8S_DISABLE_SORT set, it takes cdk8s's own path unchanged.
 */
import { ApiObject, ApiObjectProps, App, ImplicitTokenResolver, JsonPatch, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { Construct } from 'constructs';

const BUILT_IN_RESOLVERS = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver] as const;

export class PlainApiObject extends ApiObject {
  private patched = false;
  private readonly body: Readonly<Record<string, unknown>>;

  /** `props`: apiVersion, kind, metadata, and the rest of the body as plain JSON data. */
  constructor(scope: Construct, id: string, props: ApiObjectProps) {
    super(scope, id, props);
    const { apiVersion: _v, kind: _k, metadata: _m, ...body } = props;
    this.body = body;
  }

  public addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public toJson(): any {
    if (this.patched || process.env.CDK8S_DISABLE_SORT || !onlyBuiltInResolvers(App.of(this).resolvers)) return super.toJson();
    try {
      const out: Record<string, unknown> = { apiVersion: this.apiVersion, kind: this.kind };
      const metadata = sanitized(this.metadata.toJson());
      if (metadata != null) out.metadata = metadata;
      for (const k of Object.keys(this.body).sort()) {
        const v = sanitized(this.body[k]);
        if (v != null) out[k] = v;
      }
      return out;
    } catch (e) {
      // Something a resolver could act on (a Lazy, a token, a union class): cdk8s's own path.
      if (e === NOT_PLAIN) return super.toJson();
      throw e;
    }
  }
}

const NOT_PLAIN = Symbol('not plain data');

function onlyBuiltInResolvers(resolvers: readonly unknown[]): boolean {
  return resolvers.length === BUILT_IN_RESOLVERS.length && resolvers.every((r, i) => (r as object).constructor === BUILT_IN_RESOLVERS[i]);
}

/**
 * What cdk8s's resolve + `sanitizeValue` give for plain data: objects get sorted keys and lose
 * null/undefined values, arrays are mapped, other values pass through. Throws NOT_PLAIN on any
 * object that is not a plain object or array.
 */
function sanitized(v: unknown): unknown {
  if (v == null) return undefined;
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(sanitized);
  if (Object.getPrototypeOf(v) !== Object.prototype || typeof (v as { resolve?: unknown }).resolve === 'function') throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = sanitized((v as Record<string, unknown>)[k]);
    if (x != null) out[k] = x;
  }
  return out;
}
