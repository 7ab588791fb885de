import { UserError } from './user-error';

/**
 * A command line the CLI cannot run: a missing or conflicting option, a bad value.
 * {@link runCli} prints the message and where to read the options, and exits 2.
 */
export class UsageError extends UserError {}
