/** A Kubernetes object (or any part of one) as plain JSON: what synth renders, patches edit and the checks read. */
export type Obj = Record<string, any>;
