import { Inject, Injectable } from '@nestjs/common';
import { CRM_CONFIG, type CrmConfig } from '@crm/config';
import { positionAtLeast, READ_POSITION, type ReadPosition } from '@crm/read-models';

/** The position a read-model reply reflects, honouring ?minPosition with a bounded wait (503 after it). */
@Injectable()
export class Freshness {
  constructor(
    @Inject(READ_POSITION) private readonly position: ReadPosition,
    @Inject(CRM_CONFIG) private readonly config: CrmConfig,
  ) {}

  /** With a customer id, for a read of that customer alone: the position all of its events are in by. */
  atLeast(minPosition: number | undefined, customerId?: string): Promise<number> {
    return positionAtLeast(this.position, minPosition, this.config.freshnessWaitMs, customerId);
  }
}
