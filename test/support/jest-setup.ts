/**
 * Runs before every test file: properties and samples that pass no seed of their own still run with
 * the fixed seed in `npm test` (test/support/property.ts), so no property draws new cases on a re-run.
 */
import fc from 'fast-check';
import { PROPERTY_SEED } from './property';

if (process.env.RINGS_FUZZ !== '1') fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.RINGS_PBT_SEED ?? PROPERTY_SEED) });
