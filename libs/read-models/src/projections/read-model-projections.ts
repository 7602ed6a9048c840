import { followUpProjection } from './follow-up.projection';
import { funnelProjection } from './funnel.projection';
import { profileProjection } from './profile.projection';
import type { Projection } from './projection';
import { timelineProjection } from './timeline.projection';

/** Every read model the projector maintains, by public name. */
export const READ_MODEL_PROJECTIONS: readonly Projection[] = [
  profileProjection,
  timelineProjection,
  funnelProjection,
  followUpProjection,
] as unknown as readonly Projection[];

export function projectionNamed(name: string): Projection | undefined {
  return READ_MODEL_PROJECTIONS.find((p) => p.name === name);
}
