import 'reflect-metadata';
import { CompositionError, ConfigError, loadConfig } from '@crm/config';
import { runWorker } from '@crm/platform';

runWorker(loadConfig(), 'projector').catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof CompositionError;
  process.stderr.write(`${known ? (error as Error).message : `Failed to start: ${String((error as Error)?.stack ?? error)}`}\n`);
  process.exit(1);
});
