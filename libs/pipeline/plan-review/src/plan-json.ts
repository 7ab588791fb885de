import { UserError } from '@platform/config';

/**
 * The parts of Terraform's machine-readable plan (`terraform show -json <planfile>`,
 * see https://developer.hashicorp.com/terraform/internals/json-format) that the
 * review reads. OpenTofu writes the same format.
 */
export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, Change>>;
  /** Changes made outside Terraform, found during refresh. */
  readonly resource_drift?: readonly ResourceChange[];
  readonly errored?: boolean;
}

/** One action Terraform plans for a resource instance. */
export type Action = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

export interface Change {
  /**
   * `["no-op"]`, `["create"]`, `["read"]`, `["update"]`, `["delete"]`, `["forget"]`,
   * or a replace: `["delete","create"]` (destroy first) or `["create","delete"]`
   * (create_before_destroy).
   */
  readonly actions: readonly Action[];
  readonly before?: unknown;
  readonly after?: unknown;
  /** Attribute paths that force the replacement. */
  readonly replace_paths?: readonly (readonly (string | number)[])[];
  /** Present when the resource is being imported. */
  readonly importing?: { readonly id?: string };
}

export interface ResourceChange {
  /** Full address, e.g. `module.x.aws_dynamodb_table.table["a"]`. */
  readonly address: string;
  readonly module_address?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly provider_name?: string;
  /** Set when the change is to a deposed object left by a failed create_before_destroy. */
  readonly deposed?: string;
  readonly change: Change;
  /** Why Terraform replaces it, e.g. `replace_because_cannot_update`. */
  readonly action_reason?: string;
  /** The address before a `moved` block (or `terraform state mv`) renamed it. */
  readonly previous_address?: string;
}

/** Thrown when a file is not a Terraform plan JSON. */
export class PlanFormatError extends UserError {
  /** The review CLI's exit code for input it cannot read (1 means blocked by the guard). */
  readonly exitCode = 2;

  constructor(source: string, problem: string) {
    super(`${source}: not a Terraform plan JSON (${problem}); produce it with \`terraform show -json <planfile>\``);
  }
}

/** Parses and checks the shape of a plan JSON. */
export function parsePlanJson(text: string, source: string): PlanJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PlanFormatError(source, (err as Error).message);
  }
  if (!value || typeof value !== 'object') throw new PlanFormatError(source, 'not an object');
  const plan = value as Partial<PlanJson>;
  if (typeof plan.format_version !== 'string') throw new PlanFormatError(source, 'no format_version');
  if (!/^1\./.test(plan.format_version)) {
    throw new PlanFormatError(source, `format_version ${plan.format_version}; only 1.x is understood`);
  }
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) {
    throw new PlanFormatError(source, 'resource_changes is not an array');
  }
  for (const field of ['resource_changes', 'resource_drift'] as const) {
    if (plan[field] !== undefined && !Array.isArray(plan[field])) throw new PlanFormatError(source, `${field} is not an array`);
    for (const [i, rc] of (plan[field] ?? []).entries()) {
      if (!rc || typeof rc.address !== 'string' || !Array.isArray(rc.change?.actions)) {
        throw new PlanFormatError(source, `${field}[${i}] has no address or change.actions`);
      }
    }
  }
  if (plan.errored !== undefined && typeof plan.errored !== 'boolean') throw new PlanFormatError(source, 'errored is not a boolean');
  return plan as PlanJson;
}
