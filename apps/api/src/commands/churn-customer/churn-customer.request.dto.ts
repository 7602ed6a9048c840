import { IsString, Length } from 'class-validator';
import { CommandRequest } from '../../http/request-rules';

export class ChurnCustomerRequest extends CommandRequest {
  @IsString() @Length(1, 2000) reason!: string;
}
