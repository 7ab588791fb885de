// A deliberately small IAM policy evaluator for tests: Allow/Deny, Action/NotAction,
// Resource/NotResource with `*` and `?` wildcards, and the condition operators the
// bootstrap's policies use (StringEquals, StringLike, ArnEquals, ArnLike, with
// ForAllValues:/ForAnyValue: prefixes). An explicit deny wins; no allow means deny.
// It is not AWS's evaluator: it ignores SCPs, session policies and resource policies.

type Statement = {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};

/** A request: action, resource and the request's context keys. */
export interface SimulatedRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]);

function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'i' : '');
  return re.test(value);
}

function conditionHolds(op: string, key: string, expected: unknown, context: SimulatedRequest['context'] = {}): boolean {
  const [qualifier, base] = op.includes(':') ? op.split(':') : ['', op];
  const actual = context[key];
  const values = list(expected);
  const match = (v: string) =>
    values.some((e) => (base === 'StringLike' || base === 'ArnLike' || base === 'ArnEquals' ? wildcard(e, v) : e === v));
  if (qualifier === 'ForAllValues') return list(actual).every(match);
  if (actual === undefined) return false;
  return list(actual).some(match);
}

function applies(s: Statement, req: SimulatedRequest): boolean {
  const actionOk = s.Action ? list(s.Action).some((a) => wildcard(a, req.action, true)) : !list(s.NotAction).some((a) => wildcard(a, req.action, true));
  const resourceOk = s.Resource ? list(s.Resource).some((r) => wildcard(r, req.resource)) : !list(s.NotResource).some((r) => wildcard(r, req.resource));
  const conditionsOk = Object.entries(s.Condition ?? {}).every(([op, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(op, key, expected, req.context)),
  );
  return actionOk && resourceOk && conditionsOk;
}

/** `allowed`, `explicit-deny` or `implicit-deny` for a request under the given policy documents. */
export function simulate(policies: readonly string[], req: SimulatedRequest): 'allowed' | 'explicit-deny' | 'implicit-deny' {
  const statements = policies.flatMap((p) => list((JSON.parse(p) as { Statement: unknown }).Statement) as unknown as Statement[]);
  if (statements.some((s) => s.Effect === 'Deny' && applies(s, req))) return 'explicit-deny';
  return statements.some((s) => s.Effect === 'Allow' && applies(s, req)) ? 'allowed' : 'implicit-deny';
}
