import type { Clock } from '@crm/platform';

/** A clock the test moves by hand, so record times (recordedAt) are known exactly. */
export class TestClock implements Clock {
  private current: number;

  constructor(start: string | Date = '2024-03-01T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: string | Date): void {
    this.current = new Date(at).getTime();
  }

  advance(ms: number): Date {
    this.current += ms;
    return this.now();
  }

  iso(): string {
    return this.now().toISOString();
  }
}
