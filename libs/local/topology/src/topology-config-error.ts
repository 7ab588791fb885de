import { UserError } from '@platform/config';

/** A problem with what a local run was asked to do; the message says how to fix it. */
export class TopologyConfigError extends UserError {}
