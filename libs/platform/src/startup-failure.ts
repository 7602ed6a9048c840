import { CompositionError, ConfigError } from '@crm/config';
import { CheckpointPastLogEndError } from '@crm/event-store';

/** What a process prints when it cannot start: the message alone for a setup the operator must fix, else the stack. */
export function startupFailureMessage(error: unknown): string {
  const setup = error instanceof ConfigError || error instanceof CompositionError || error instanceof CheckpointPastLogEndError;
  if (setup) return error.message;
  return `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
