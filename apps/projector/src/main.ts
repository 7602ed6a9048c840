import 'reflect-metadata';
import { loadConfig } from '@crm/config';
import { runWorker, startupFailureMessage } from '@crm/platform';

runWorker(loadConfig(), 'projector').catch((error: unknown) => {
  process.stderr.write(`${startupFailureMessage(error)}\n`);
  process.exit(1);
});
