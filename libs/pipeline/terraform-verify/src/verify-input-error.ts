import { UserError } from '@platform/config';

/**
 * Thrown for a problem with the machine or the input of a verification run (no
 * terraform, one too old, no provider mirror): the CLI prints the message as one
 * line, without a stack trace, and exits 1.
 */
export class VerifyInputError extends UserError {}
