#!/usr/bin/env node
'use strict';
// Waits until the Kafka broker answers: kafkajs admin connects, describes the
// cluster, creates (once) a health-check topic and sees a leader for it.
// Unless --no-warm, it also makes the broker create and load its group and
// transaction coordinators (__consumer_offsets, __transaction_state).
//
// usage: node infra/wait-kafka.js [--brokers host:port,...] [--timeout seconds] [--quiet] [--no-warm]
// env:   KAFKA_BROKERS (default 127.0.0.1:9092)
// exit:  0 ready, 1 not ready within the timeout (last error printed)

const path = require('path');

function requireFromRepo(name) {
  // infra/ lives next to the repo's node_modules; resolve from the repo root
  // so the script also works when started from another directory.
  return require(require.resolve(name, { paths: [path.resolve(__dirname, '..'), process.cwd()] }));
}

function parseArgs(argv) {
  const opts = {
    brokers: process.env.KAFKA_BROKERS || '127.0.0.1:9092',
    timeoutSec: Number(process.env.KAFKA_WAIT_TIMEOUT || 90),
    quiet: false,
    warm: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--brokers') opts.brokers = argv[++i];
    else if (a === '--timeout') opts.timeoutSec = Number(argv[++i]);
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--no-warm') opts.warm = false;
    else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  return opts;
}

const HEALTH_TOPIC = '__infra_healthcheck';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function probe(kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (!cluster.brokers.length) throw new Error('no brokers in metadata');
    if (cluster.controller == null || cluster.controller < 0) throw new Error('no active controller yet');
    const topics = await admin.listTopics();
    if (!topics.includes(HEALTH_TOPIC)) {
      try {
        await admin.createTopics({
          topics: [{ topic: HEALTH_TOPIC, numPartitions: 1, replicationFactor: 1 }],
          waitForLeaders: true,
          timeout: 10000,
        });
      } catch (e) {
        // a concurrent waiter may have created it
        if (!/already exists/i.test(String(e && (e.message || e)))) throw e;
      }
    }
    const meta = await admin.fetchTopicMetadata({ topics: [HEALTH_TOPIC] });
    const partitions = meta.topics[0] ? meta.topics[0].partitions : [];
    if (!partitions.length || partitions.some((p) => p.leader == null || p.leader < 0)) {
      throw new Error('health-check topic has no leader yet');
    }
    // Warm-up, so that the first test does not meet "coordinator is loading":
    // finding a group coordinator creates and loads __consumer_offsets ...
    await admin.describeGroups([`${HEALTH_TOPIC}-group`]);
    return cluster;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// ... and a transactional producer creates and loads __transaction_state
// (also used for the producer ids of idempotent producers).
async function warmProducers(kafka) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    transactionalId: `${HEALTH_TOPIC}-tx`,
    retry: { retries: 5, initialRetryTime: 200 },
  });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    await tx.send({ topic: HEALTH_TOPIC, acks: -1, messages: [{ key: 'probe', value: String(Date.now()) }] });
    await tx.commit();
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { Kafka, logLevel } = requireFromRepo('kafkajs');
  const brokers = opts.brokers.split(',').map((s) => s.trim()).filter(Boolean);
  const kafka = new Kafka({
    clientId: 'infra-wait',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 0 },
  });
  const started = Date.now();
  const deadline = started + opts.timeoutSec * 1000;
  let lastError;
  let attempts = 0;
  while (Date.now() < deadline) {
    attempts++;
    try {
      const cluster = await probe(kafka);
      if (opts.warm) await warmProducers(kafka);
      if (!opts.quiet) {
        const ms = Date.now() - started;
        console.error(
          `[wait-kafka] ready: ${brokers.join(',')} (cluster ${cluster.clusterId}, ` +
            `controller ${cluster.controller}, ${attempts} attempt(s), ${ms} ms)`,
        );
      }
      return 0;
    } catch (e) {
      lastError = e;
      await sleep(500);
    }
  }
  console.error(
    `[wait-kafka] NOT ready after ${opts.timeoutSec}s (${attempts} attempts) at ${brokers.join(',')}: ` +
      `${lastError && (lastError.stack || lastError.message || lastError)}`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('[wait-kafka] failed:', e);
    process.exit(1);
  },
);
