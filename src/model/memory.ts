/**
 * Octane memory follows the module count: every module's service provider is loaded at boot.
 * request = base + perModule × modules; limit = request × limitFactor, rounded up to roundTo.
 * With the defaults, 23 modules give 992Mi → 1536Mi: the seed's measured ceiling (384Mi and
 * 768Mi were OOMKilled during module bootstrap).
 */
export interface MemoryCoefficients {
  /** @default 256 */
  readonly base_mib?: number;
  /** @default 32 */
  readonly per_module_mib?: number;
  /** @default 1.5 */
  readonly limit_factor?: number;
  /** @default 128 */
  readonly round_to_mib?: number;
}

export interface Memory {
  readonly requestMib: number;
  readonly limitMib: number;
}

export function memoryForModules(modules: number, c: MemoryCoefficients = {}): Memory {
  const base = c.base_mib ?? 256;
  const perModule = c.per_module_mib ?? 32;
  const factor = c.limit_factor ?? 1.5;
  const round = c.round_to_mib ?? 128;
  const requestMib = base + perModule * modules;
  const limitMib = Math.ceil((requestMib * factor) / round) * round;
  return { requestMib, limitMib };
}
