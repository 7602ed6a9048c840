import { readlinkSync } from 'node:fs';

// The module object itself (a namespace import would be a copy): GroupCommit calls fs.fsync through it.
const fs = require('node:fs') as typeof import('node:fs');

export interface HeldFsync {
  /** Whether the fsync to hold has been asked for yet. */
  readonly held: boolean;
  /** Lets the held fsync run (its callback follows); nothing if none was held yet. */
  release(): void;
}

/**
 * For tests of durability: holds the next fsync (of a file whose path `matches`, when given) until
 * release(): the transaction is committed, its data not yet on disk. Every other fsync runs. Undone
 * by jest.restoreAllMocks().
 */
export function holdNextFsync(matches?: (file: string) => boolean): HeldFsync {
  const fsync = fs.fsync;
  let held: (() => void) | null = null;
  jest.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    if (held === null && (!matches || matches(readlinkSync(`/proc/self/fd/${fd}`)))) held = () => fsync(fd, callback);
    else fsync(fd, callback);
  }) as typeof fs.fsync);
  return {
    get held() {
      return held !== null;
    },
    release: () => held?.(),
  };
}
