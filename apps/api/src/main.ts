import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { checkRoles, loadConfig } from '@crm/config';
import { startupFailureMessage } from '@crm/platform';
import { resolveApiKeys } from './auth/api-keys';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const config = loadConfig();
  checkRoles(config, config.roles);
  const apiKeys = resolveApiKeys(config);
  const app = await createApiApp(config, { apiKeys });
  await app.listen({ host: config.http.host, port: config.http.port });
  const logger = new Logger('CRM');
  logger.log(`Listening on http://${config.http.host}:${config.http.port}; roles ${config.roles.join(', ')}; data in ${config.dataDir}`);
  if (apiKeys.generated.length > 0) {
    // Printed this once; afterwards they are only in the data folder (mode 0600).
    process.stdout.write(`\nAPI keys created in ${apiKeys.file}:\n`);
    for (const { role, key } of apiKeys.generated) process.stdout.write(`  ${role.padEnd(8)} ${key}\n`);
    process.stdout.write('\n');
  } else if (apiKeys.file) {
    logger.log(`API keys: see ${apiKeys.file}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${startupFailureMessage(error)}\n`);
  process.exit(1);
});
