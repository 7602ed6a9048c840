import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Min } from 'class-validator';
import { IsReadableDate } from '../../http/request-rules';

/** One of: asOf (recorded time, what the system knew then) or atRevision. */
export class CustomerStateQuery {
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) @IsReadableDate() asOf?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) atRevision?: number;
}
