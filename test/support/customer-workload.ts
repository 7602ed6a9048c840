import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@crm/event-store';
import fc from 'fast-check';
import {
  ACQUISITION_CHANNELS,
  COMPLAINT_SEVERITIES,
  CONTACT_CHANNELS,
  CONTACT_DIRECTIONS,
  CONTACT_OUTCOMES,
  CUSTOMER_TYPES,
  type CustomerCommand,
} from '@crm/domain';

/**
 * A randomized CRM workload as data, so fast-check can generate (and shrink) it: each step says
 * which customer, which kind of command, and a few numbers the command's fields are derived from.
 * The same steps drive the domain decider in process and the HTTP API of a real server.
 */
export type StepKind =
  | 'contact'
  | 'purchase'
  | 'complaint'
  | 'resolve'
  | 'feedback'
  | 'profile'
  | 'owner'
  | 'churn'
  | 'reactivate'
  | 'erase';

export interface Step {
  /** Index into the customer list (taken modulo its length). */
  who: number;
  kind: StepKind;
  /** Small choice (0..9): which complaint, which owner, whether to repeat an order id... */
  pick: number;
  /** Larger number the amounts and enumerations are derived from. */
  n: number;
  /** Business time elapsed for this customer since its previous step; sometimes negative (backdated). */
  minutes: number;
}

const kind = fc.oneof(
  { arbitrary: fc.constant<StepKind>('contact'), weight: 28 },
  { arbitrary: fc.constant<StepKind>('purchase'), weight: 26 },
  { arbitrary: fc.constant<StepKind>('complaint'), weight: 8 },
  { arbitrary: fc.constant<StepKind>('resolve'), weight: 8 },
  { arbitrary: fc.constant<StepKind>('feedback'), weight: 9 },
  { arbitrary: fc.constant<StepKind>('profile'), weight: 6 },
  { arbitrary: fc.constant<StepKind>('owner'), weight: 6 },
  { arbitrary: fc.constant<StepKind>('churn'), weight: 2 },
  { arbitrary: fc.constant<StepKind>('reactivate'), weight: 8 },
  // Made rarer still below: an erased customer refuses every later command.
  { arbitrary: fc.constant<StepKind>('erase'), weight: 1 },
);

export const stepArb: fc.Arbitrary<Step> = fc.record({
  who: fc.nat({ max: 10_000 }),
  kind,
  pick: fc.nat({ max: 9 }),
  n: fc.nat({ max: 1_000_000 }),
  minutes: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 30 * 24 * 60 }), weight: 9 }, { arbitrary: fc.integer({ min: -3 * 24 * 60, max: 0 }), weight: 1 }),
});

/** What a step needs to know about its customer beyond the decider's state: ids it used before. */
export interface CustomerScript {
  id: string;
  /** Business time of the customer's latest step, epoch ms. */
  at: number;
  orders: string[];
  acquired: boolean;
  /** Asked to be erased: later steps go to other customers (an erased one refuses everything). */
  erased: boolean;
}

export type DomainCommand = Omit<CustomerCommand, 'time'>;

const DAY = 86_400_000;

/** The customer a step is for: `who`, or the next one not erased. */
export function scriptFor(scripts: readonly CustomerScript[], step: Step): CustomerScript {
  for (let i = 0; i < scripts.length; i++) {
    const script = scripts[(step.who + i) % scripts.length];
    if (!script.erased) return script;
  }
  return scripts[step.who % scripts.length];
}

export function newScript(id: string, start: number): CustomerScript {
  return { id, at: start, orders: [], acquired: false, erased: false };
}

/** The acquisition every customer's first step turns into. Contact fields are unique per customer. */
export function acquisitionOf(script: CustomerScript, step: Step, index: number): DomainCommand {
  const { id } = script;
  return {
    type: 'AcquireCustomer',
    data: {
      customerId: id,
      name: `Customer ${index}`,
      ...(step.pick % 3 !== 0 && { email: `c${index}-${id.slice(0, 8)}@example.com` }),
      ...(step.pick % 2 === 0 && { phone: `+86139${String(10_000_000 + index).slice(-8)}` }),
      channel: ACQUISITION_CHANNELS[step.n % ACQUISITION_CHANNELS.length],
      type: CUSTOMER_TYPES[step.n % CUSTOMER_TYPES.length],
      ...(step.pick % 4 !== 3 && { region: ['east', 'west', 'north', 'south'][step.n % 4] }),
      ...(step.pick % 5 !== 4 && { tags: ['vip', 'trial', 'b2b'].slice(step.n % 3) }),
      ...(step.pick < 6 && { ownerId: `owner-${step.n % 5}` }),
    },
  } as DomainCommand;
}

/**
 * The command a step asks for. It may break a business rule (a churned customer contacted, a
 * complaint resolved twice, feedback without a score...): the decider or the API refuses those.
 */
export function commandOf(script: CustomerScript, step: Step, at: number): DomainCommand {
  const customerId = script.id;
  const { pick, n } = step;
  switch (step.kind) {
    case 'contact':
      return {
        type: 'RecordContact',
        data: {
          customerId,
          channel: CONTACT_CHANNELS[n % CONTACT_CHANNELS.length],
          direction: CONTACT_DIRECTIONS[n % 2],
          outcome: CONTACT_OUTCOMES[pick % 3],
          ...(pick % 2 === 0 && { summary: `talked ${n}` }),
          ...(pick < 4 && { nextFollowUpAt: new Date(at + (1 + (n % 20)) * DAY).toISOString() }),
        },
      };
    case 'purchase': {
      // A repeated order id is the same purchase again: a no-op, not a second purchase.
      const repeat = pick < 2 && script.orders.length > 0;
      const orderId = repeat ? script.orders[n % script.orders.length] : `o-${script.orders.length}-${n}`;
      if (!repeat) script.orders.push(orderId);
      return { type: 'RecordPurchase', data: { customerId, orderId, amountMinor: 1 + (n % 500_000), currency: 'CNY' } };
    }
    case 'complaint':
      return {
        type: 'FileComplaint',
        data: { customerId, complaintId: `c-${pick % 5}`, category: ['billing', 'delivery', 'quality'][n % 3], severity: COMPLAINT_SEVERITIES[n % 4], description: `d${n}` },
      };
    case 'resolve':
      return {
        type: 'ResolveComplaint',
        data: { customerId, complaintId: `c-${pick % 5}`, resolution: `r${n}`, ...(n % 6 !== 0 && { satisfaction: n % 6 }) },
      };
    case 'feedback':
      // pick 0: neither score, refused.
      return {
        type: 'GiveFeedback',
        data: { customerId, ...(pick % 3 !== 1 && pick !== 0 && { csat: 1 + (n % 5) }), ...(pick % 3 !== 2 && pick !== 0 && { nps: n % 11 }), ...(pick > 6 && { comment: `c${n}` }) },
      };
    case 'profile':
      return {
        type: 'UpdateProfile',
        data: {
          customerId,
          ...(pick % 2 === 0 && { region: [null, 'east', 'west', 'north'][n % 4] }),
          ...(pick % 3 === 0 && { tags: ['vip', 'trial', 'b2b'].slice(n % 4) }),
          ...(pick === 1 && { type: CUSTOMER_TYPES[n % 3] }),
          ...(pick === 5 && { email: n % 2 === 0 ? null : `u${n}-${customerId.slice(0, 8)}@example.com` }),
          ...(pick === 7 && { phone: null }),
          ...(pick === 9 && { name: `Renamed ${n}` }),
        },
      };
    case 'owner':
      return { type: 'AssignOwner', data: { customerId, ownerId: `owner-${pick % 5}` } };
    case 'churn':
      return { type: 'ChurnCustomer', data: { customerId, reason: `moved ${n}` } };
    case 'reactivate':
      return { type: 'ReactivateCustomer', data: { customerId, ...(pick % 2 === 0 && { reason: 'won back' }) } };
    case 'erase':
      if (pick === 0) {
        script.erased = true;
        return { type: 'ErasePersonalData', data: { customerId } };
      }
      return { type: 'AssignOwner', data: { customerId, ownerId: `owner-${n % 7}` } };
  }
}

/** Moves the customer's business clock by the step (never before the start) and returns it. */
export function advance(script: CustomerScript, step: Step, floor: number, ceiling: number): number {
  script.at = Math.min(ceiling, Math.max(floor, script.at + step.minutes * 60_000));
  return script.at;
}

export interface HttpCommand {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  role: 'service' | 'admin';
}

/** The request the HTTP API takes for a command (SPEC: HTTP API), with `occurredAt` as business time. */
export function httpCommandOf(command: DomainCommand, occurredAt: string): HttpCommand {
  const { customerId, ...fields } = command.data as { customerId: string } & Record<string, unknown>;
  const body = { ...fields, occurredAt };
  const at = `/v1/customers/${customerId}`;
  switch (command.type) {
    case 'AcquireCustomer':
      return { method: 'POST', path: '/v1/customers', body: { customerId, ...body }, role: 'service' };
    case 'RecordContact':
      return { method: 'POST', path: `${at}/contacts`, body, role: 'service' };
    case 'RecordPurchase':
      return { method: 'POST', path: `${at}/purchases`, body, role: 'service' };
    case 'FileComplaint':
      return { method: 'POST', path: `${at}/complaints`, body, role: 'service' };
    case 'ResolveComplaint': {
      const { complaintId, ...rest } = body as Record<string, unknown>;
      return { method: 'POST', path: `${at}/complaints/${String(complaintId)}/resolution`, body: rest, role: 'service' };
    }
    case 'GiveFeedback':
      return { method: 'POST', path: `${at}/feedback`, body, role: 'service' };
    case 'UpdateProfile':
      return { method: 'PATCH', path: `${at}/profile`, body, role: 'service' };
    case 'AssignOwner':
      return { method: 'PUT', path: `${at}/owner`, body, role: 'service' };
    case 'ChurnCustomer':
      return { method: 'POST', path: `${at}/churn`, body, role: 'service' };
    case 'ReactivateCustomer':
      return { method: 'POST', path: `${at}/reactivation`, body, role: 'service' };
    case 'ErasePersonalData':
      return { method: 'DELETE', path: `${at}/personal-data`, role: 'admin' };
  }
}

/** Commands that can be accepted without an event (same order again, same owner, nothing changed, erased twice). */
const MAY_BE_NO_OP = new Set<DomainCommand['type']>(['RecordPurchase', 'AssignOwner', 'UpdateProfile', 'ErasePersonalData']);

/** A command the server acknowledged, as the workload recorded it. */
export interface AcknowledgedCommand {
  correlationId: string;
  type: DomainCommand['type'];
  customerId: string;
  revision: number;
  position: number;
}

/** Every acknowledged command is in the log as acknowledged; no refused command left anything there. */
export function expectAcknowledgedInLog(
  workload: { acks: readonly AcknowledgedCommand[]; refused: ReadonlySet<string> },
  log: readonly RecordedEvent[], streams: Map<string, RecordedEvent[]>): void {
  const byCorrelation = new Map<string, RecordedEvent[]>();
  for (const e of log) {
    const id = String(e.metadata.correlationId);
    byCorrelation.set(id, [...(byCorrelation.get(id) ?? []), e]);
  }
  const problems: string[] = [];
  for (const ack of workload.acks) {
    const own = byCorrelation.get(ack.correlationId);
    const stream = streams.get(`customer-${ack.customerId}`) ?? [];
    if (own) {
      const last = own[own.length - 1];
      if (last.streamId !== `customer-${ack.customerId}` || last.revision !== ack.revision || last.position !== ack.position) {
        problems.push(`${ack.type} ${ack.correlationId}: acknowledged ${ack.revision}@${ack.position}, stored ${last.revision}@${last.position}`);
      }
    } else if (!MAY_BE_NO_OP.has(ack.type) || stream[ack.revision]?.position !== ack.position) {
      problems.push(`${ack.type} ${ack.correlationId} for ${ack.customerId}: acknowledged ${ack.revision}@${ack.position}, not in the log`);
    }
  }
  for (const id of workload.refused) if (byCorrelation.has(id)) problems.push(`refused command ${id} stored events`);
  expect(problems).toEqual([]);
}

/** API keys of the workloads' servers, one per role. */
export const WORKLOAD_KEYS = {
  service: 'workload-service-key-000000001',
  auditor: 'workload-auditor-key-000000002',
  analyst: 'workload-analyst-key-000000003',
  admin: 'workload-admin-key-00000000004',
};
export const WORKLOAD_API_KEYS = Object.entries(WORKLOAD_KEYS)
  .map(([role, key]) => `${key}:${role}`)
  .join(',');

/** A command the server acknowledged (2xx): its reply, and the correlation id it was sent with. */
export interface Ack {
  correlationId: string;
  type: DomainCommand['type'];
  customerId: string;
  revision: number;
  position: number;
  at: number;
}

export type Make = () => DomainCommand & { at: number };

/**
 * A command workload sent over HTTP to whichever API process is up: what was acknowledged, refused,
 * answered unexpectedly, or left without an answer (the process died under it).
 */
export class HttpWorkload {
  readonly acks: Ack[] = [];
  readonly refused = new Set<string>();
  readonly refusals: Record<string, number> = {};
  readonly unexpected: string[] = [];
  /** Requests without an answer (the API died under them): stored or not, nobody knows. */
  lost = 0;
  private readonly scripts: CustomerScript[];
  private readonly start = Date.now() - 700 * DAY;
  private readonly ceiling = Date.now() - 60_000;

  constructor(
    private readonly customers: number,
    private readonly steps: readonly Step[],
    readonly concurrency: number,
  ) {
    this.scripts = Array.from({ length: customers }, (_, i) => newScript(randomUUID(), this.start + i * 3_600_000));
  }

  acquisitions(): Make[] {
    return this.scripts.map((script, i) => () => {
      script.acquired = true;
      return { ...acquisitionOf(script, this.steps[i], i), at: script.at };
    });
  }

  commands(): Make[] {
    return this.steps.slice(this.customers).map((step) => () => {
      const script = scriptFor(this.scripts, step);
      const at = advance(script, step, this.start, this.ceiling);
      return { ...commandOf(script, step, at), at };
    });
  }

  async send(url: string, make: Make): Promise<void> {
    const { at, ...command } = make();
    const http = httpCommandOf(command, new Date(at).toISOString());
    const correlationId = randomUUID();
    let res: Response;
    let body: Record<string, unknown>;
    try {
      res = await fetch(url + http.path, {
        method: http.method,
        headers: {
          authorization: `Bearer ${WORKLOAD_KEYS[http.role]}`,
          'x-correlation-id': correlationId,
          ...(http.body && { 'content-type': 'application/json' }),
        },
        body: http.body && JSON.stringify(http.body),
        signal: AbortSignal.timeout(30_000),
      });
      body = (await res.json()) as Record<string, unknown>;
    } catch {
      this.lost++;
      return;
    }
    if (res.status === 200 || res.status === 201) {
      const reply = body as unknown as Ack;
      this.acks.push({ correlationId, type: command.type, customerId: reply.customerId, revision: reply.revision, position: reply.position, at: Date.now() });
    } else if ([404, 409, 422].includes(res.status)) {
      this.refused.add(correlationId);
      const reason = `${res.status} ${String((body.error as { code?: string } | undefined)?.code)}`;
      this.refusals[reason] = (this.refusals[reason] ?? 0) + 1;
    } else {
      this.unexpected.push(`${http.method} ${http.path} ${JSON.stringify(http.body)} -> ${res.status} ${JSON.stringify(body)}`);
    }
  }

  /**
   * Sends queued commands `concurrency` at a time until the queue is empty or `stopped()`; the rest
   * stays queued. `paceMs()`: how long each sender waits between commands (a steadier load).
   */
  async pump(url: string, queue: Make[], stopped: () => boolean, paceMs: () => number = () => 0): Promise<void> {
    const worker = async () => {
      while (!stopped() && queue.length > 0) {
        await this.send(url, queue.shift()!);
        const pause = paceMs();
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
  }
}
