/** The strict schema validator lives in src/ (synth validates patched objects with it); tests use it from here. */
export * from '../../src/k8s-schema';
