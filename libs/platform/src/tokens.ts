export const MONGO_CLIENT = Symbol('MONGO_CLIENT');
export const KAFKA = Symbol('KAFKA');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
export const RELAY = Symbol('RELAY');
export const KAFKA_PROJECTOR = Symbol('KAFKA_PROJECTOR');
/** Topic names of this deployment (`kafkaNames(config.kafkaNamespace).topics`). */
export const KAFKA_TOPICS = Symbol('KAFKA_TOPICS');
/** The embedded default's read side on a worker thread (WorkerReadSide), or null where it does not apply. */
export const READ_SIDE_THREAD = Symbol('READ_SIDE_THREAD');
