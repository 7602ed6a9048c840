import { InvalidMessageError } from '../messages/message-codec';

/** The reason of the InvalidMessageError that `run` throws; fails the test if it throws nothing or something else. */
export function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidMessageError) return error.reason;
    throw error;
  }
  throw new Error('expected an InvalidMessageError');
}
