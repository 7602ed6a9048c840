import { IsString, Length } from 'class-validator';
import { CommandRequest } from '../../http/request-rules';

export class AssignOwnerRequest extends CommandRequest {
  @IsString() @Length(1, 100) ownerId!: string;
}
