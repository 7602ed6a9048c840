import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class AuditExportQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) fromPosition?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) limit?: number;
}
