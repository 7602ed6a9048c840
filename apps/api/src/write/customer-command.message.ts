import type { CommandContext } from './command-context';

/** What a controller hands the command bus: each use case subclasses it so the bus can route by class. */
export abstract class CustomerCommandMessage<Body> {
  constructor(
    readonly context: CommandContext,
    readonly customerId: string,
    readonly body: Body,
  ) {}
}
