import { IsOptional, IsString, Length } from 'class-validator';
import { CommandRequest } from '../../http/request-rules';

export class ReactivateCustomerRequest extends CommandRequest {
  @IsOptional() @IsString() @Length(1, 2000) reason?: string;
}
