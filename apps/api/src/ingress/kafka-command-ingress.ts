import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { type CommandMessage, type CommandResultMessage, decodeCommandMessage, type MessageSender, toCommandResultMessage } from '@crm/messaging';
import { COMMAND_CATALOGUE } from '../commands/command-catalogue';
import { ApiError, toApiError } from '../http/api-error';
import { flatten, VALIDATION_OPTIONS } from '../http/validation';
import type { CommandContext, CommandResult } from '../write/command-context';
import type { CommandStore } from '../write/command-store.port';

/** Replies to Kafka commands are stored under this scope, beside the HTTP Idempotency-Key replies. */
const REPLY_SCOPE = 'kafka-command';

export interface CommandIngressOptions {
  commandTopic: string;
  resultTopic: string;
  groupId: string;
  /** How long a command's reply is kept, so that a redelivery or a retry answers the same (CRM_IDEMPOTENCY_TTL_HOURS). */
  replyTtlMs: number;
}

/**
 * Internal services publish commands to Kafka; each gets a reply on the results topic (accepted
 * with revision and position, or rejected with the SPEC error). A message is answered before its
 * offset is committed, so a crash replays it: its command id makes the replay answer the same
 * without a second effect. An accepted command's reply is stored by command id (as HTTP stores
 * Idempotency-Key replies), so a retry is recognised however many commands the customer had
 * since; one that arrives before the reply was stored is recognised from the customer's latest
 * commands. A rejected command had no effect and is decided again when retried (it may pass
 * now: the customer exists, the conflict is over). An invalid message is answered (or logged, if
 * it has no id), never allowed to stop the consumer.
 */
export class KafkaCommandIngress {
  private readonly logger = new Logger('CommandIngress');
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly results: MessageSender,
    private readonly commands: CommandBus,
    private readonly replies: CommandStore,
    private readonly options: CommandIngressOptions,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.options.groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.commandTopic, fromBeginning: true });
    await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 3, eachMessage: (payload) => this.onMessage(payload) });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const decoded = decodeCommandMessage(message);
    let result: CommandResultMessage | null;
    if (decoded.ok) result = await this.execute(decoded.command);
    else if (decoded.commandId) result = rejected(decoded.commandId, new ApiError(400, 'INVALID_MESSAGE', decoded.reason), decoded.customerId);
    else {
      this.logger.warn(`Skipped an unreadable command at ${topic}/${partition}/${message.offset}: ${decoded.reason}`);
      result = null;
    }
    if (result) await this.results.send({ topic: this.options.resultTopic, acks: -1, messages: [toCommandResultMessage(result)] });
    await this.consumer!.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }

  async execute(command: CommandMessage): Promise<CommandResultMessage> {
    const fingerprint = fingerprintOf(command);
    const stored = await this.replies.findReply(REPLY_SCOPE, command.commandId);
    if (stored) {
      if (stored.fingerprint === fingerprint) return stored.body as CommandResultMessage;
      return rejected(command.commandId, new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'This commandId was used for a different command'), command.customerId);
    }
    const result = await this.decide(command);
    if (result.status === 'accepted') await this.replies.saveReply(REPLY_SCOPE, command.commandId, { fingerprint, status: 200, body: result }, this.options.replyTtlMs);
    return result;
  }

  /** Accepted or rejected with the SPEC error; a server fault (5xx) is thrown, so the message is delivered again. */
  private async decide(command: CommandMessage): Promise<CommandResultMessage> {
    const refuse = (error: ApiError) => rejected(command.commandId, error, command.customerId);
    const entry = COMMAND_CATALOGUE[command.type];
    // The roles HTTP requires (commands: service; erasure: admin; admin: all), so the topic is no way around them.
    const allowed = command.type === 'ErasePersonalData' ? ['admin'] : ['service', 'admin'];
    if (!allowed.includes(command.actor.role)) {
      return refuse(new ApiError(403, 'FORBIDDEN', `${command.type} needs the role ${allowed.join(' or ')}; the actor has ${command.actor.role}`));
    }
    const data = { ...command.data };
    const path: Record<string, string> = {};
    for (const field of entry.pathFields ?? []) {
      if (typeof data[field] === 'string') path[field] = data[field] as string;
      delete data[field];
    }
    const body = plainToInstance(entry.request, data);
    // A request without rules (ErasePersonalData's) is an "unknown value" to class-validator; unknown fields are still refused.
    const errors = await validate(body, { ...VALIDATION_OPTIONS, forbidUnknownValues: false });
    const missing = (entry.pathFields ?? []).filter((f) => path[f] === undefined).map((field) => ({ field, errors: [`${field} is required`] }));
    if (errors.length > 0 || missing.length > 0) {
      return refuse(new ApiError(400, 'VALIDATION_FAILED', 'The command is invalid', { fields: [...flatten(errors), ...missing] }));
    }
    const context: CommandContext = {
      commandId: command.commandId,
      correlationId: command.correlationId ?? command.commandId,
      causationId: command.causationId ?? command.correlationId ?? command.commandId,
      actor: command.actor,
      expectedRevision: command.expectedRevision,
    };
    try {
      const reply: CommandResult & { complaintId?: string } = await this.commands.execute(entry.toMessage(context, command.customerId, body, path));
      return { commandId: command.commandId, status: 'accepted', ...reply };
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status >= 500) throw error;
      return refuse(apiError);
    }
  }
}

/** What the command asks, so that a command id reused for another command is refused, not answered with another's reply. */
function fingerprintOf({ type, customerId, data, actor, expectedRevision }: CommandMessage): string {
  return createHash('sha256').update(JSON.stringify([type, customerId ?? null, data ?? null, actor, expectedRevision ?? null])).digest('base64url');
}

function rejected(commandId: string, error: ApiError, customerId?: string): CommandResultMessage {
  return { commandId, status: 'rejected', ...(customerId && { customerId }), error: error.toBody().error };
}
