#!/usr/bin/env node
'use strict';
// Smoke test of the servers started by infra/up.sh, with the repo's own clients.
//   Kafka (kafkajs): create topic, idempotent + transactional produce, consume.
//   Mongo (mongodb driver): the operations a document-store adapter relies on,
//   plus informational probes of features mongo-java-server lacks.
//
// usage: node infra/smoke.js [kafka] [mongo]      (default both)
// env:   KAFKA_BROKERS, MONGO_URL (default: read from .infra/env)
// exit:  0 if every required check passed

const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..');
const requireFromRepo = (name) => require(require.resolve(name, { paths: [repoRoot, process.cwd()] }));

function loadEnvFile() {
  const file = path.join(process.env.INFRA_HOME || path.join(repoRoot, '.infra'), 'env');
  if (!fs.existsSync(file)) return;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m && process.env[m[1]] === undefined) process.env[m[1]] = m[2];
  }
}

let failures = 0;
let passes = 0;
async function check(name, fn, { required = true } = {}) {
  const started = Date.now();
  try {
    const detail = await fn();
    passes++;
    console.log(`  ok   ${name}${detail !== undefined ? ` -> ${JSON.stringify(detail)}` : ''} (${Date.now() - started} ms)`);
  } catch (e) {
    const msg = `${e && e.name}: ${e && e.message}`.slice(0, 240);
    if (required) {
      failures++;
      console.log(`  FAIL ${name}: ${msg}`);
    } else {
      console.log(`  n/a  ${name}: ${msg}`);
    }
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function kafkaSmoke() {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const { Kafka, logLevel } = requireFromRepo('kafkajs');
  const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
  console.log(`kafka ${brokers.join(',')}`);
  const kafka = new Kafka({ clientId: 'infra-smoke', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `infra-smoke-${Date.now()}`;
  try {
    await check('createTopics (3 partitions)', async () => {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      return meta.topics[0].partitions.length;
    });
    await check('idempotent producer, acks=-1', async () => {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      for (let i = 0; i < 5; i++) {
        await producer.send({ topic, acks: -1, messages: [{ key: `k${i}`, value: `v${i}` }] });
      }
      await producer.disconnect();
    });
    await check('transactional producer commit', async () => {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId: `${topic}-tx` });
      await producer.connect();
      const tx = await producer.transaction();
      await tx.send({ topic, messages: [{ key: 'tx', value: 'committed' }] });
      await tx.commit();
      await producer.disconnect();
    });
    await check('consumer group reads all 6 from the beginning', async () => {
      const consumer = kafka.consumer({ groupId: `${topic}-group` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen = [];
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timeout, got ${seen.length}`)), 30000);
        consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value.toString());
            if (seen.length === 6) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      return seen.length;
    });
    await check('deleteTopics', () => admin.deleteTopics({ topics: [topic] }));
  } finally {
    await admin.disconnect();
  }
}

async function mongoSmoke() {
  const { MongoClient } = requireFromRepo('mongodb');
  const url = process.env.MONGO_URL || 'mongodb://127.0.0.1:27017/crm';
  console.log(`mongo ${url}`);
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db();
  const c = db.collection(`infra_smoke_${Date.now()}`);
  const opt = { required: false };
  try {
    await check('insertOne / find with filter, sort, projection', async () => {
      await c.insertOne({ _id: 'a', revision: 1, name: 'Alice', n: 1 });
      await c.insertMany([{ _id: 'b', revision: 2, name: 'Bob', n: 2 }, { _id: 'c', revision: 7, name: 'Carl', n: 2 }]);
      const docs = await c.find({ n: { $gte: 1 } }, { projection: { name: 1 } }).sort({ _id: -1 }).toArray();
      assert(docs.length === 3 && docs[0]._id === 'c' && docs[0].revision === undefined, 'unexpected find result');
    });
    await check('duplicate _id insert -> E11000', async () => {
      const err = await c.insertOne({ _id: 'a' }).then(() => null, (e) => e);
      assert(err && err.code === 11000, 'no duplicate key error');
    });
    await check('updateOne with filter ($set/$inc)', async () => {
      const r = await c.updateOne({ _id: 'a', revision: 1 }, { $set: { name: 'Alicia' }, $inc: { revision: 1 } });
      assert(r.matchedCount === 1 && r.modifiedCount === 1, JSON.stringify(r));
    });
    await check('findOneAndUpdate upsert + $setOnInsert', async () => {
      const first = await c.findOneAndUpdate(
        { _id: 'f' },
        { $inc: { counter: 1 }, $setOnInsert: { created: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
      const second = await c.findOneAndUpdate(
        { _id: 'f' },
        { $inc: { counter: 1 }, $setOnInsert: { created: 2 } },
        { upsert: true, returnDocument: 'after' },
      );
      assert(first.counter === 1 && second.counter === 2 && second.created === 1, JSON.stringify([first, second]));
    });
    await check('bulkWrite updateOne upsert on {_id, revision:{$lt:5}}', async () => {
      await c.insertMany([{ _id: 'p-low', revision: 3 }, { _id: 'p-high', revision: 9 }]);
      const r = await c
        .bulkWrite(
          [
            { updateOne: { filter: { _id: 'p-low', revision: { $lt: 5 } }, update: { $set: { revision: 5 } }, upsert: true } },
            { updateOne: { filter: { _id: 'p-new', revision: { $lt: 5 } }, update: { $set: { revision: 1 } }, upsert: true } },
            { updateOne: { filter: { _id: 'p-high', revision: { $lt: 5 } }, update: { $set: { revision: 5 } }, upsert: true } },
          ],
          { ordered: false },
        )
        .then(
          () => ({ error: null }),
          (e) => ({ error: e }),
        );
      // like MongoDB: the stale write becomes an upsert that collides on _id
      assert(r.error && r.error.code === 11000, 'expected E11000 for the stale revision');
      assert(r.error.writeErrors.length === 1 && r.error.writeErrors[0].index === 2, 'expected one write error at index 2');
      const docs = await c.find({ _id: { $in: ['p-low', 'p-new', 'p-high'] } }).sort({ _id: 1 }).toArray();
      const revs = Object.fromEntries(docs.map((d) => [d._id, d.revision]));
      assert(revs['p-low'] === 5 && revs['p-new'] === 1 && revs['p-high'] === 9, JSON.stringify(revs));
      return revs;
    });
    await check('createIndex (plain + unique) and unique violation', async () => {
      await c.createIndex({ name: 1 });
      await c.createIndex({ email: 1 }, { unique: true, sparse: true });
      await c.insertOne({ _id: 'u1', email: 'x@y' });
      const err = await c.insertOne({ _id: 'u2', email: 'x@y' }).then(() => null, (e) => e);
      assert(err && err.code === 11000, 'unique index not enforced');
    });
    await check('aggregate $match/$group/$sort', async () => {
      const out = await c
        .aggregate([{ $match: { n: { $exists: true } } }, { $group: { _id: '$n', count: { $sum: 1 } } }, { $sort: { _id: 1 } }])
        .toArray();
      assert(JSON.stringify(out) === JSON.stringify([{ _id: 1, count: 1 }, { _id: 2, count: 2 }]), JSON.stringify(out));
    });
    await check('deleteMany / countDocuments', async () => {
      await c.deleteMany({ _id: { $in: ['u1'] } });
      return c.countDocuments({});
    });
    await check('explicit session without transaction', async () => {
      const session = client.startSession();
      try {
        await c.findOne({ _id: 'a' }, { session });
      } finally {
        await session.endSession();
      }
    });
    // informational: known gaps of mongo-java-server
    await check('transactions', async () => {
      const session = client.startSession();
      try {
        await session.withTransaction(() => c.insertOne({ _id: 'tx' }, { session }));
      } finally {
        await session.endSession();
      }
    }, opt);
    await check('change streams (needs MONGO_OPLOG=1)', async () => {
      const stream = c.watch();
      try {
        await stream.tryNext();
      } finally {
        await stream.close();
      }
    }, opt);
    await check('pipeline-style update', () => c.updateOne({ _id: 'a' }, [{ $set: { x: 1 } }]), opt);
    await check('$setWindowFields', () => c.aggregate([{ $setWindowFields: { output: { k: { $count: {} } } } }]).toArray(), opt);
    await check('$text search', () => c.find({ $text: { $search: 'Carl' } }).toArray(), opt);
    await check('collation (strength 2)', async () => {
      const n = await c.countDocuments({ name: 'carl' }, { collation: { locale: 'en', strength: 2 } });
      assert(n === 1, `collation ignored (matched ${n})`);
    }, opt);
  } finally {
    await c.drop().catch(() => {});
    await client.close();
  }
}

async function main() {
  loadEnvFile();
  const which = process.argv.slice(2);
  const all = which.length === 0;
  if (all || which.includes('kafka')) await kafkaSmoke();
  if (all || which.includes('mongo')) await mongoSmoke();
  console.log(`smoke: ${passes} passed, ${failures} failed`);
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('smoke failed:', e);
    process.exit(1);
  },
);
