import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { type CommandMessage, type CommandResultMessage, decodeCommandMessage, toCommandResultMessage } from '@crm/messaging';
import { COMMAND_CATALOGUE } from '../commands/command-catalogue';
import { ApiError, toApiError } from '../http/api-error';
import { flatten, VALIDATION_OPTIONS } from '../http/validation';
import type { CommandContext, CommandResult } from '../write/command-context';

export interface CommandIngressOptions {
  commandTopic: string;
  resultTopic: string;
  groupId: string;
}

/**
 * Internal services publish commands to Kafka; each gets a reply on the results topic (accepted
 * with revision and position, or rejected with the SPEC error). A message is answered before its
 * offset is committed, so a crash replays it: its command id makes the replay answer the same
 * without a second effect. An invalid message is answered (or logged, if it has no id), never
 * allowed to stop the consumer.
 */
export class KafkaCommandIngress {
  private readonly logger = new Logger('CommandIngress');
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly results: Producer,
    private readonly commands: CommandBus,
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
    const entry = COMMAND_CATALOGUE[command.type];
    // The roles HTTP requires (commands: service; erasure: admin; admin: all), so the topic is no way around them.
    const allowed = command.type === 'ErasePersonalData' ? ['admin'] : ['service', 'admin'];
    if (!allowed.includes(command.actor.role)) {
      const error = new ApiError(403, 'FORBIDDEN', `${command.type} needs the role ${allowed.join(' or ')}; the actor has ${command.actor.role}`);
      return rejected(command.commandId, error, command.customerId);
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
      return rejected(command.commandId, new ApiError(400, 'VALIDATION_FAILED', 'The command is invalid', { fields: [...flatten(errors), ...missing] }), command.customerId);
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
      return rejected(command.commandId, apiError, command.customerId);
    }
  }
}

function rejected(commandId: string, error: ApiError, customerId?: string): CommandResultMessage {
  return { commandId, status: 'rejected', ...(customerId && { customerId }), error: error.toBody().error };
}
