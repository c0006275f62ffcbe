/**
 * What `resolvePlan` refuses rather than drops: a `Registry` handed to it may have been built by hand,
 * bypassing validation. A tenant on a ring that does not exist (or is inactive), a preview on one, a
 * home ring that is not a ring, or a ring without a lock would otherwise vanish from the output
 * silently. The same rules as validation give the same lines; cheap at any tenant count.
 */
import * as path from 'path';
import type { RegistryProblem } from '../errors';
import type { Registry } from '../load';
import { CrossFileInput, everyRingHasALock, homeRingExists, previewsPointAtAnotherActiveRing, tenantsOnActiveRings } from './validate';

export function unresolvableProblems(reg: Registry): RegistryProblem[] {
  const active = new Set(reg.rings.filter((r) => r.spec.active).map((r) => r.spec.name));
  // Only tenants that fail go through the rule, so a valid registry of 100,000 tenants costs one lookup each.
  const stray: Record<string, string> = {};
  for (const [tenant, ring] of Object.entries(reg.tenants)) if (!active.has(ring)) stray[tenant] = ring;
  const input: CrossFileInput = {
    dir: reg.dir,
    platform: reg.platform,
    platformFile: path.join(reg.dir, 'platform.toml'),
    tenantsFile: path.join(reg.dir, 'tenants.toml'),
    rings: reg.rings,
    tenants: stray,
    previews: reg.previews,
    locks: reg.locks,
    lockFiles: Object.values(reg.locks).map((l) => ({ file: l.file, ring: l.ring })),
    ringFiles: reg.rings.map((r) => r.spec.name).sort(),
    ringFilesFailed: false,
  };
  return [
    ...homeRingExists(input),
    ...tenantsOnActiveRings(input),
    ...previewsPointAtAnotherActiveRing({ ...input, tenants: reg.tenants }),
    ...everyRingHasALock(input),
  ];
}
