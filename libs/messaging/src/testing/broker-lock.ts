import { mkdirSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A readers-writer lock across processes (jest workers, other runs of these specs on the same
 * machine): tests that use the broker hold it shared, a test that stops the broker holds it
 * exclusively, so no other spec of this lib meets a broker that is going down. A waiting
 * exclusive holder keeps new shared holders out. Entries of dead processes are ignored.
 */
const DIR = join(tmpdir(), 'crm-messaging-broker-lock');
const MUTEX = join(DIR, 'mutex');

export type Release = () => void;

export function shareBroker(): Promise<Release> {
  return acquire('shared', (entries) => !entries.some((e) => e.kind === 'exclusive'));
}

export function takeBroker(): Promise<Release> {
  return acquire('exclusive', (entries, mine) => entries.every((e) => e.name === mine || (e.kind === 'exclusive' && e.name > mine)));
}

interface Entry {
  name: string;
  kind: string;
}

async function acquire(kind: 'shared' | 'exclusive', mayProceed: (entries: Entry[], mine: string) => boolean): Promise<Release> {
  mkdirSync(DIR, { recursive: true });
  // Sortable by time, so two exclusive holders go first come, first served.
  const mine = `${kind === 'exclusive' ? `exclusive-${Date.now().toString().padStart(15, '0')}` : 'shared'}-${process.pid}-${randomUUID()}`;
  const file = join(DIR, mine);
  const release = () => rmSync(file, { force: true });
  if (kind === 'exclusive') await locked(() => writeFileSync(file, ''));
  for (;;) {
    const entered = await locked(() => {
      if (!mayProceed(liveEntries(), mine)) return false;
      if (kind === 'shared') writeFileSync(file, '');
      return true;
    });
    if (entered) return release;
    await sleep(25);
  }
}

function liveEntries(): Entry[] {
  return readdirSync(DIR)
    .filter((name) => name.startsWith('shared-') || name.startsWith('exclusive-'))
    .filter((name) => {
      if (alive(Number(name.split('-')[name.startsWith('shared-') ? 1 : 2]))) return true;
      rmSync(join(DIR, name), { force: true });
      return false;
    })
    .map((name) => ({ name, kind: name.startsWith('shared-') ? 'shared' : 'exclusive' }));
}

async function locked<T>(work: () => T): Promise<T> {
  for (;;) {
    try {
      mkdirSync(MUTEX);
      break;
    } catch {
      // A holder that died inside this short section leaves the directory behind.
      const since = statSync(MUTEX, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 10_000) rmSync(MUTEX, { recursive: true, force: true });
      await sleep(5);
    }
  }
  try {
    return work();
  } finally {
    rmdirSync(MUTEX);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
