#!/usr/bin/env node
'use strict';
// Waits until the MongoDB-wire server answers: the `mongodb` driver connects,
// runs `ping`, then writes and reads back a document in a health-check collection.
//
// usage: node infra/wait-mongo.js [--url mongodb://...] [--timeout seconds] [--quiet]
// env:   MONGO_URL (default mongodb://127.0.0.1:27017/crm)
// exit:  0 ready, 1 not ready within the timeout (last error printed)

const path = require('path');

function requireFromRepo(name) {
  return require(require.resolve(name, { paths: [path.resolve(__dirname, '..'), process.cwd()] }));
}

function parseArgs(argv) {
  const opts = {
    url: process.env.MONGO_URL || 'mongodb://127.0.0.1:27017/crm',
    timeoutSec: Number(process.env.MONGO_WAIT_TIMEOUT || 60),
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') opts.url = argv[++i];
    else if (a === '--timeout') opts.timeoutSec = Number(argv[++i]);
    else if (a === '--quiet') opts.quiet = true;
    else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function probe(MongoClient, url) {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 2000,
    connectTimeoutMS: 2000,
    socketTimeoutMS: 5000,
    directConnection: true,
  });
  try {
    await client.connect();
    const db = client.db('infra_healthcheck');
    await db.command({ ping: 1 });
    const coll = db.collection('probe');
    const marker = { _id: 'probe', at: new Date(), pid: process.pid };
    await coll.replaceOne({ _id: 'probe' }, marker, { upsert: true });
    const back = await coll.findOne({ _id: 'probe' });
    if (!back || back.pid !== process.pid) throw new Error('health-check document not read back');
    const build = await db.admin().command({ buildInfo: 1 });
    return build.version;
  } finally {
    await client.close().catch(() => {});
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { MongoClient } = requireFromRepo('mongodb');
  const started = Date.now();
  const deadline = started + opts.timeoutSec * 1000;
  let lastError;
  let attempts = 0;
  while (Date.now() < deadline) {
    attempts++;
    try {
      const version = await probe(MongoClient, opts.url);
      if (!opts.quiet) {
        console.error(
          `[wait-mongo] ready: ${opts.url} (reports version ${version}, ${attempts} attempt(s), ${Date.now() - started} ms)`,
        );
      }
      return 0;
    } catch (e) {
      lastError = e;
      await sleep(300);
    }
  }
  console.error(
    `[wait-mongo] NOT ready after ${opts.timeoutSec}s (${attempts} attempts) at ${opts.url}: ` +
      `${lastError && (lastError.stack || lastError.message || lastError)}`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('[wait-mongo] failed:', e);
    process.exit(1);
  },
);
