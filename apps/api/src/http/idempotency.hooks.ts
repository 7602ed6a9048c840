import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeys } from '../auth/api-keys';
import type { CommandStore, StoredReply } from '../write/command-store.port';
import { ApiError } from './api-error';

export interface IdempotencyOptions {
  keys: ApiKeys;
  store: CommandStore;
  ttlMs: number;
}

/** A request that runs under an Idempotency-Key: where its reply is stored, and who waits for it. */
interface Keyed {
  scope: string;
  key: string;
  fingerprint: string;
  release: () => void;
}

/** Refused by the API key check: never stored, a retry with a valid key is decided afresh. */
const NOT_STORED = new Set([401, 403]);

/**
 * Idempotency-Key (SPEC: HTTP API) as two Fastify hooks around Nest's handler: the first reply to a
 * key is stored, and a retry with the same key gets the same reply without a second effect. Server
 * faults (5xx) are not stored, so they can be retried; a key reused for a different request is
 * refused (422), and concurrent retries of one key in this process wait for the first.
 *
 * Hooks rather than a Nest interceptor: an interceptor puts every request, with a key or not,
 * through rxjs, which cost about 10% of the API's throughput under bench:commands.
 */
export function installIdempotency(fastify: FastifyInstance, { keys, store, ttlMs }: IdempotencyOptions): void {
  const keyed = new WeakMap<FastifyRequest, Keyed>();
  const inFlight = new Map<string, Promise<void>>();

  fastify.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || request.method === 'GET' || request.method === 'HEAD') return;
    // Without a valid API key, the request is refused (401) before anything is stored.
    const principal = keys.resolve(request.headers.authorization);
    if (!principal) return;
    const scope = principal.id;
    const id = `${scope}\n${key}`;
    for (let running = inFlight.get(id); running; running = inFlight.get(id)) await running;
    // Taken before the look-up, in the same turn as the wait ended: no second request slips in between.
    let done: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (done = resolve));
    inFlight.set(id, running);
    const release = () => {
      if (inFlight.get(id) === running) inFlight.delete(id);
      done();
    };
    try {
      const fingerprint = createHash('sha256')
        .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
        .digest('base64url');
      const stored = await store.findReply(scope, key);
      if (stored) {
        release();
        return replay(stored, fingerprint, reply);
      }
      keyed.set(request, { scope, key, fingerprint, release });
    } catch (error) {
      release();
      throw error;
    }
  });

  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const state = keyed.get(request);
    if (!state) return payload;
    keyed.delete(request);
    try {
      const status = reply.statusCode;
      if (status < 500 && !NOT_STORED.has(status) && typeof payload === 'string') {
        await store.saveReply(state.scope, state.key, { fingerprint: state.fingerprint, status, body: JSON.parse(payload) }, ttlMs);
      }
    } finally {
      state.release();
    }
    return payload;
  });

  // A request that ends without a reply being sent (the client went away) must not hold its key.
  fastify.addHook('onResponse', async (request: FastifyRequest) => {
    const state = keyed.get(request);
    if (!state) return;
    keyed.delete(request);
    state.release();
  });
}

function replay(stored: StoredReply, fingerprint: string, reply: FastifyReply): FastifyReply {
  if (stored.fingerprint !== fingerprint) {
    const refused = new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    return reply.code(refused.status).send(refused.toBody());
  }
  return reply.header('idempotent-replayed', 'true').code(stored.status).send(stored.body);
}
