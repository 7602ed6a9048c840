import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { LIFECYCLE_STAGES, LOYALTY_CLASSES, RFM_SEGMENTS, RISK_LEVELS, VALUE_TIERS } from '@crm/domain';
import { ReadRequest } from '../read-request';

export class ListProfilesRequest extends ReadRequest {
  @IsOptional() @IsIn(LIFECYCLE_STAGES) stage?: string;
  @IsOptional() @IsIn(VALUE_TIERS) tier?: string;
  @IsOptional() @IsIn(LOYALTY_CLASSES) loyalty?: string;
  @IsOptional() @IsIn(RFM_SEGMENTS) rfmSegment?: string;
  @IsOptional() @IsIn(RISK_LEVELS) riskLevel?: string;
  @IsOptional() @IsString() @Length(1, 100) ownerId?: string;
  @IsOptional() @IsString() @Length(1, 100) region?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @IsString() @Length(1, 200) cursor?: string;
}
