/**
 * Controller features: what a controller's firmware understands beyond the first release's messages. A controller
 * names them in its birth (`status`, `features`), and the cloud sends a field added to the desired state after the
 * first release only to a controller that named its feature: the desired state is a strict object, so a controller
 * of an older release refuses the whole state (codes and reservations with it) over one field it does not know.
 */
import { z } from 'zod';
import type { DesiredState } from './desired.ts';

/** Every feature this release knows, each the name of the desired-state field it brings. */
export const CONTROLLER_FEATURES = ['branding'] as const;
export const controllerFeatureSchema = z.enum(CONTROLLER_FEATURES);
export type ControllerFeature = z.infer<typeof controllerFeatureSchema>;

/** The desired-state field each feature brings (absent from the first release's schema). */
export const FEATURE_FIELDS: { readonly [F in ControllerFeature]: keyof DesiredState } = { branding: 'branding' };

/**
 * A birth's `features` as sent: names only, so a newer controller naming a feature this release does not know
 * still has its birth read (the unknown name is ignored, `knownFeatures`).
 */
export const announcedFeaturesSchema = z
  .array(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/))
  .max(32)
  .describe('what the controller understands beyond the first release (e.g. "branding"); absent: nothing more');

/** The features of `announced` this release knows, each once, in the order of `CONTROLLER_FEATURES`. */
export function knownFeatures(announced: readonly string[] | undefined): ControllerFeature[] {
  const set = new Set(announced ?? []);
  return CONTROLLER_FEATURES.filter((f) => set.has(f));
}

/** `state` without the fields of the features a controller did not announce (the state itself when none is dropped). */
export function desiredStateFor(state: DesiredState, features: readonly ControllerFeature[]): DesiredState {
  const drop = CONTROLLER_FEATURES.filter((f) => !features.includes(f) && state[FEATURE_FIELDS[f]] !== undefined);
  if (drop.length === 0) return state;
  const out: Record<string, unknown> = { ...state };
  for (const f of drop) delete out[FEATURE_FIELDS[f]];
  return out as DesiredState;
}

/** The features a desired state makes use of: a controller it was sent to understood them. */
export function featuresUsedBy(state: DesiredState): ControllerFeature[] {
  return CONTROLLER_FEATURES.filter((f) => state[FEATURE_FIELDS[f]] !== undefined);
}
