// Loads the addresses of the real servers started by `npm run infra:up` (.infra/env), so the suites
// that need Kafka or MongoDB run against them; without that file they print why they are skipped.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports = async () => {
  const file = join(__dirname, '../../.infra/env');
  if (!existsSync(file)) {
    console.warn('\n[test] .infra/env not found: Kafka and MongoDB suites will be skipped (run `npm run infra:up` first).');
    return;
  }
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]] === undefined) process.env[match[1]] = match[2];
  }
  console.warn(`\n[test] real servers from .infra/env: KAFKA_BROKERS=${process.env.KAFKA_BROKERS} MONGO_URL=${process.env.MONGO_URL}`);
};
