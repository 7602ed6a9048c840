import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Min } from 'class-validator';

/** Every read-model query may ask to see at least a position taken from a command reply. */
export abstract class ReadRequest {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

export abstract class AsOfReadRequest extends ReadRequest {
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) asOf?: string;
}
