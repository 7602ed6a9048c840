import { SingleBar } from 'cli-progress';
import { join } from 'node:path';
import type { CrmConfig } from '@crm/config';
import { SqliteEventStore } from '@crm/event-store';
import { EmbeddedDocumentStore, READ_MODEL_PROJECTIONS, Rebuild, type RebuildProgress } from '@crm/read-models';
import { adminKey } from './admin-key';

const NAMES = READ_MODEL_PROJECTIONS.map((p) => p.name);

export class CliError extends Error {}

function bar(label: string): SingleBar {
  return new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} events | {phase}`, hideCursor: true });
}

/** Through the running server: the same rebuild as POST /v1/projections/:name/rebuild, watched until it ends. */
async function online(url: string, key: string, name: string): Promise<RebuildProgress> {
  const headers = { authorization: `Bearer ${key}` };
  const started = await fetch(`${url}/v1/projections/${encodeURIComponent(name)}/rebuild`, { method: 'POST', headers });
  if (started.status !== 202) throw new CliError(`The server refused the rebuild: ${started.status} ${await started.text()}`);
  const progress = bar(`rebuild ${name}`);
  progress.start(1, 0, { phase: 'copying' });
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { projections } = (await (await fetch(`${url}/v1/projections`, { headers })).json()) as {
        projections: { name: string; rebuild: RebuildProgress | null }[];
      };
      const rebuild = projections.find((p) => name === 'all' || p.name === name)?.rebuild;
      if (!rebuild) continue;
      progress.setTotal(Math.max(rebuild.head, 1));
      progress.update(rebuild.position, { phase: rebuild.phase });
      if (rebuild.phase === 'done' || rebuild.phase === 'failed') return rebuild;
    }
  } finally {
    progress.stop();
  }
}

/** No server running: rebuild the data folder directly (the document store's lock refuses if a server holds it). */
async function offline(config: CrmConfig, name: string): Promise<RebuildProgress> {
  const events = new SqliteEventStore(join(config.dataDir, 'events.db'));
  let documents: EmbeddedDocumentStore;
  try {
    documents = new EmbeddedDocumentStore(join(config.dataDir, 'read-models.db'));
  } catch (error) {
    await events.close();
    throw new CliError(`Cannot open the read models (${(error as Error).message}); is a server using ${config.dataDir}?`);
  }
  const progress = bar(`rebuild ${name} (offline)`);
  progress.start(1, 0, { phase: 'copying' });
  try {
    const projections = READ_MODEL_PROJECTIONS.filter((p) => name === 'all' || p.name === name);
    return await new Rebuild(events, documents, projections, null, {
      onProgress: (p) => {
        progress.setTotal(Math.max(p.head, 1));
        progress.update(p.position, { phase: p.phase });
      },
    }).run();
  } finally {
    progress.stop();
    await documents.close();
    await events.close();
  }
}

export async function rebuildCommand(config: CrmConfig, name: string | undefined, url: string): Promise<RebuildProgress> {
  if (!name || (name !== 'all' && !NAMES.includes(name))) throw new CliError(`Name a read model to rebuild: ${NAMES.join(', ')} or all`);
  const reachable = await fetch(`${url}/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (!reachable) return offline(config, name);
  const key = adminKey(config);
  if (!key) throw new CliError('No admin key: set CRM_API_KEYS with an admin key, or run from the data folder of the embedded default');
  return online(url, key, name);
}
