import { type CrmServer, startBuiltProcess } from './crm-server';

/** The two mains of the production split: the API (here with the relay, CRM_ROLES=api,relay) and the projector. */
export type PipelineApp = 'api' | 'projector';

const MAINS: Record<PipelineApp, string> = { api: 'apps/api/src/main.js', projector: 'apps/projector/src/main.js' };

/** Either main of the production split from a build, resolved once /health answers (see startBuiltProcess). */
export function startPipelineProcess(buildDir: string, app: PipelineApp, env: Record<string, string>, timeoutMs = 60_000): Promise<CrmServer> {
  return startBuiltProcess(buildDir, MAINS[app], env, { label: app, timeoutMs });
}
