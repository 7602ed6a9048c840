import { Controller, Get, Param, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { LOYALTY_CLASSES, RFM_SEGMENTS, RISK_LEVELS, VALUE_TIERS } from '@crm/domain';
import { decodeCursor, pageOf, SEGMENT_KINDS, type SegmentKind, segmentName, SegmentsQuery } from '@crm/read-models';
import { Roles } from '../../auth/roles.decorator';
import { ApiError } from '../../http/api-error';
import { Freshness } from '../freshness';
import { AsOfReadRequest } from '../read-request';

const NAMES: Record<SegmentKind, readonly string[]> = { tier: VALUE_TIERS, loyalty: LOYALTY_CLASSES, rfm: RFM_SEGMENTS, risk: RISK_LEVELS };

class SegmentMembersRequest extends AsOfReadRequest {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @IsOptional() @IsString() @Length(1, 200) cursor?: string;
}

@Controller('v1/segments')
@Roles('analyst')
export class SegmentMembersController {
  constructor(
    private readonly segments: SegmentsQuery,
    private readonly freshness: Freshness,
  ) {}

  @Get(':kind/:name/members')
  async members(@Param('kind') kind: string, @Param('name') name: string, @Query() query: SegmentMembersRequest) {
    if (!(SEGMENT_KINDS as readonly string[]).includes(kind) || !NAMES[kind as SegmentKind].includes(name)) {
      throw new ApiError(404, 'SEGMENT_NOT_FOUND', `No segment ${kind}/${name}; kinds: ${SEGMENT_KINDS.join(', ')}`);
    }
    const position = await this.freshness.atLeast(query.minPosition);
    const snapshot = await this.segments.snapshot(query.asOf ? new Date(query.asOf) : undefined, position, query.minPosition);
    const after = decodeCursor(query.cursor);
    const members = snapshot.segments.filter((s) => segmentName(s, kind as SegmentKind) === name && (after === undefined || s.customerId > after));
    return { asOf: snapshot.asOf, position: snapshot.position, kind, name, ...pageOf(members, query.limit ?? 100) };
  }
}
