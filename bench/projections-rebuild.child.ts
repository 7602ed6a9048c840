import { SqliteEventStore } from '@crm/event-store';
import { EmbeddedDocumentStore, READ_MODEL_PROJECTIONS, Rebuild } from '@crm/read-models';

// Runs in a process of its own so that its peak RSS is the rebuild's alone.
async function main(): Promise<void> {
  const [eventsFile, documentsFile] = process.argv.slice(2);
  const events = new SqliteEventStore(eventsFile);
  const documents = new EmbeddedDocumentStore(documentsFile);
  const started = process.hrtime.bigint();
  const progress = await new Rebuild(events, documents, READ_MODEL_PROJECTIONS, null).run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await documents.close();
  await events.close();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ events: progress.events, seconds, maxRssMb }) + '\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
