/**
 * An error caused by the user's input (a config value, a command-line option, a
 * missing build): every CLI prints its message as it is, without a stack trace, and
 * exits 1. The message says what is wrong, where, and how to fix it.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Whether `err` is a {@link UserError} (also across bundles that each carry a copy of the class). */
export function isUserError(err: unknown): err is UserError {
  for (let proto = err && Object.getPrototypeOf(err); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'UserError') return true;
  }
  return false;
}
