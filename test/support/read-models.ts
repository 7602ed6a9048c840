// The embedded read side only, without the Kafka feed that `@crm/read-models` also exports, so these
// suites need neither kafkajs nor the messaging library to load.
export * from '../../libs/read-models/src/document-store/document-store.port';
export * from '../../libs/read-models/src/document-store/embedded-document-store';
export * from '../../libs/read-models/src/projections/projection';
export * from '../../libs/read-models/src/projections/read-model-projections';
export * from '../../libs/read-models/src/projector/projection-worker';
export * from '../../libs/read-models/src/projector/projector';
export * from '../../libs/read-models/src/projector/rebuild';
export * from '../../libs/read-models/src/projector/read-side';
