import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { CommandRequest } from '../../http/request-rules';

export class ResolveComplaintRequest extends CommandRequest {
  @IsString() @Length(1, 5000) resolution!: string;
  @IsOptional() @IsInt() @Min(1) @Max(5) satisfaction?: number;
}
