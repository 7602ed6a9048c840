import 'reflect-metadata';
import { ConfigError, loadConfig } from '@crm/config';
import { CliError, rebuildCommand } from './rebuild.command';

const USAGE = `Usage: npm run crm -- rebuild <profiles|timelines|funnel|follow-ups|all> [--url http://host:port]

Rebuilds a read model beside the live one and switches when it has caught up. With a server
running (default http://127.0.0.1:$PORT) it goes through its API with the admin key; with none,
it rebuilds the data folder ($CRM_DATA_DIR) directly.`;

async function main(args: string[]): Promise<number> {
  const config = loadConfig();
  const [command, name] = args.filter((a) => !a.startsWith('--'));
  const urlFlag = args.find((a) => a.startsWith('--url='))?.slice('--url='.length);
  const url = urlFlag ?? `http://127.0.0.1:${config.http.port}`;
  if (command !== 'rebuild') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const result = await rebuildCommand(config, name, url);
  const seconds = result.finishedAt ? (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000 : 0;
  if (result.phase === 'failed') {
    process.stderr.write(`Rebuild failed: ${result.error}\n`);
    return 1;
  }
  process.stdout.write(`Rebuilt ${result.projections.join(', ')}: ${result.events} events in ${seconds.toFixed(1)} s, up to position ${result.position}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof CliError || error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
