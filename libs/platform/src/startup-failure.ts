import type { INestApplication } from '@nestjs/common';
import { CompositionError, ConfigError } from '@crm/config';
import { CheckpointPastLogEndError } from '@crm/event-store';

/** What a process prints when it cannot start: the message alone for a setup the operator must fix, else the stack. */
export function startupFailureMessage(error: unknown): string {
  const setup = error instanceof ConfigError || error instanceof CompositionError || error instanceof CheckpointPastLogEndError;
  if (setup) return error.message;
  return `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/**
 * Runs `start` (init or listen); when it fails (a store of another log, a server down), closes what
 * the app opened before rethrowing, so that a retry in the same process is not locked out.
 */
export async function startOrClose(app: INestApplication, start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}
