/** The strict schema validator lives in src/registry/ (synth validates patched objects with it); tests use it from here. */
export * from '../../src/registry/schema/k8s-schema';
