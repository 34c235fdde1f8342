import { UserError } from '../../errors.ts';

/** A rule that does not parse or type-check: the message ends with the 1-based column it points at. */
export class StrategySyntaxError extends UserError {
  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super(`${reason} at column ${column}`);
    this.name = 'StrategySyntaxError';
  }
}
