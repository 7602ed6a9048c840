import { IsInt, IsPositive, IsString, Length, Matches, Max } from 'class-validator';
import { CommandRequest } from '../../http/request-rules';

export class RecordPurchaseRequest extends CommandRequest {
  @IsString() @Length(1, 100) orderId!: string;
  /** Integer minor units (fen, cents): money is never a float here. */
  @IsInt() @IsPositive() @Max(Number.MAX_SAFE_INTEGER) amountMinor!: number;
  @IsString() @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as CNY' }) currency!: string;
}
