import type { Provider } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Kafka } from 'kafkajs';
import type { CrmConfig } from '@crm/config';
import { COMMAND_STORE, type CommandStore } from '../write/command-store.port';
import { kafkaNames, type MessageSender } from '@crm/messaging';
import { KAFKA, KAFKA_PRODUCER } from '@crm/platform';
import { KafkaCommandIngress } from './kafka-command-ingress';

export const COMMAND_INGRESS = Symbol('COMMAND_INGRESS');

/** With Kafka, the API also takes commands from the command topic. */
export function commandIngressProviders(config: CrmConfig): Provider[] {
  if (!config.kafkaBrokers) return [{ provide: COMMAND_INGRESS, useValue: null }];
  const { topics, group } = kafkaNames(config.kafkaNamespace);
  return [
    {
      provide: COMMAND_INGRESS,
      useFactory: (kafka: Kafka, producer: MessageSender, commands: CommandBus, replies: CommandStore) =>
        new KafkaCommandIngress(kafka, producer, commands, replies, {
          commandTopic: topics.commands,
          resultTopic: topics.commandResults,
          groupId: group('crm-command-ingress'),
          replyTtlMs: config.idempotencyTtlMs,
        }),
      inject: [KAFKA, KAFKA_PRODUCER, CommandBus, COMMAND_STORE],
    },
  ];
}
