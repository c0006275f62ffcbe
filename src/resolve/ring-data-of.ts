/** The app's own view of the rings (src/model/ring-data.ts), read from a validated registry. */
import { ringDataFrom } from '../model/ring-data';
import type { RingData } from '../model/ring-data';
import type { Registry } from '../registry/load';

export function ringDataOf(reg: Registry): RingData {
  return ringDataFrom(reg.platform.domain, reg.rings.map((r) => r.spec), reg.tenants);
}
