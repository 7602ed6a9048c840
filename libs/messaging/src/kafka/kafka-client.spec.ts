import { logLevel } from 'kafkajs';
import { createKafka, formatLogEntry } from './kafka-client';

describe('kafka client logging', () => {
  const entry = (log: Record<string, unknown>) => ({ namespace: 'Producer', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message: 'Failed to send', ...log } });

  it('prints the message and the whitelisted fields only, never a payload', () => {
    const line = formatLogEntry(entry({ broker: '127.0.0.1:9092', retryCount: 2, messages: [{ value: '{"name":"Zhang San"}' }], payload: 'enc:v1:abc' }));
    expect(line).toBe('[kafkajs Producer] ERROR Failed to send broker=127.0.0.1:9092 retryCount=2');
  });

  it('clips long fields', () => {
    expect(formatLogEntry(entry({ error: 'x'.repeat(1_000) })).length).toBeLessThan(400);
  });

  it('routes kafkajs logs through the formatter to the given writer', async () => {
    const lines: string[] = [];
    const kafka = createKafka(['127.0.0.1:1'], 'log-test', { write: (l) => lines.push(l), level: logLevel.INFO });
    kafka.logger().info('hello', { topic: 't', value: 'secret' });
    expect(lines).toEqual(['[kafkajs] INFO hello topic=t']);
  });

  it('accepts a comma-separated broker list and refuses an empty one', () => {
    expect(() => createKafka(' a:1, b:2 ', 'x')).not.toThrow();
    expect(() => createKafka([], 'x')).toThrow(/at least one broker/);
    expect(() => createKafka(' , ', 'x')).toThrow(/at least one broker/);
  });
});
