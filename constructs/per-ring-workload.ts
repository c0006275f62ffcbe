/**
 * PerRingWorkload: the components a ring runs in its own namespace (any `ComponentSpec[]`; for the
 * seed's platform `octaneComponents(…)` from ./presets/octane), every pod Pod-Security `restricted`.
 */
import { Construct } from 'constructs';
import { Component, ComponentSpec, validateComponent } from './component';

export interface PerRingWorkloadProps {
  readonly ring: string;
  readonly namespace: string;
  /** `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  readonly components: readonly ComponentSpec[];
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
}

export class PerRingWorkload extends Construct {
  public readonly components: readonly ComponentSpec[];

  constructor(scope: Construct, id: string, props: PerRingWorkloadProps) {
    super(scope, id);
    const errors = props.components.flatMap(validateComponent);
    const names = props.components.map((c) => c.name);
    for (const n of new Set(names)) if (names.filter((x) => x === n).length > 1) errors.push(`component name "${n}" is used twice; give each component its own name`);
    if (errors.length) throw new Error(`ring ${props.ring}: ${errors.join('; ')}`);
    this.components = props.components;
    for (const c of props.components) {
      new Component(this, c.name, { ...c, namespace: props.namespace, partOf: props.partOf, ring: props.ring, imagePullSecrets: props.imagePullSecrets });
    }
  }
}
