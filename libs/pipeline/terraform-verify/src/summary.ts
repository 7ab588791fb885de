import { describeSkew } from '@platform/constructs';
import type { TerraformVerification } from './verify-terraform';

const sec = (s: number | undefined) => (s === undefined ? '-' : `${s.toFixed(1)} s`);

/**
 * The run's summary for people: one line per stack (both state scenarios), the
 * probes, the provider skew, the totals.
 */
export function formatVerification(v: TerraformVerification): string {
  const rows = v.stacks.map((s) => ({
    stack: s.stack,
    program: s.program,
    init: sec(s.times.init),
    plan: sec(s.times.plan),
    creates: s.creates === undefined ? '-' : String(s.creates),
    'plan, no global state': !s.missingState ? '-' : s.missingState.ok ? sec(s.missingState.seconds) : 'FAIL',
    declared: String(s.declared),
    result: s.ok ? 'ok' : 'FAIL',
  }));
  const cols = ['stack', 'program', 'init', 'plan', 'creates', 'plan, no global state', 'declared', 'result'] as const;
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => r[c].length))]));
  const line = (r: Record<string, string>) => cols.map((c) => r[c].padEnd(width[c])).join('  ').trimEnd();
  const out = [line(Object.fromEntries(cols.map((c) => [c, c]))), ...rows.map(line)];
  for (const s of v.stacks.filter((x) => !x.ok)) {
    const missing = s.missingState?.problems.map((p) => `  - global state missing: ${p}`) ?? [];
    out.push('', `${s.stack}:`, ...s.problems.map((p) => `  - ${p}`), ...missing);
  }
  for (const p of v.probes) {
    out.push('', `${p.name}: ${p.ok ? 'ok' : 'FAIL'} (${sec(p.seconds)})`, ...p.lines.map((l) => `  - ${l}`));
  }
  const unanswered = v.lookups.filter((l) => !l.answered);
  if (unanswered.length) {
    out.push('', 'lookups the loopback endpoint did not answer:', ...unanswered.map((l) => `  - ${l.service} ${l.action} (${l.region})`));
  }
  out.push(
    '',
    `provider skew: stripped or swapped for a stand-in in this run (hashicorp/aws ${v.providerVersion} lacks them), so NOT verified by it:`,
    ...(v.skew.length
      ? v.skew.map((s) => `  - ${describeSkew(s)}: added in ${s.addedIn}, ${s.changelog}`)
      : ['  (none)']),
  );
  const passed = v.stacks.filter((s) => s.ok).length;
  const plans = v.stacks.map((s) => s.times.plan).filter((t): t is number => t !== undefined);
  const readers = v.stacks.filter((s) => s.missingState);
  out.push(
    '',
    `${passed} of ${v.stacks.length} stacks validate and plan (terraform ${v.terraformVersion}, hashicorp/aws ${v.providerVersion}); ` +
      `${readers.filter((s) => s.missingState?.ok).length} of ${readers.length} stacks that read a global stack's state also plan with that state missing; ` +
      `${v.lookups.filter((l) => l.answered).length} lookups answered on loopback; ` +
      `synth ${sec(v.seconds.synth)}, init ${sec(v.seconds.init)}, plan ${plans.length ? `${Math.min(...plans).toFixed(1)}-${Math.max(...plans).toFixed(1)} s per stack` : '-'}, ` +
      `existing-but-empty state ${sec(v.seconds.emptyState)}, missing state ${sec(v.seconds.missingState)}${v.probes.length ? ` (probes beside it ${sec(v.seconds.probes)})` : ''}, total ${sec(v.seconds.total)}`,
  );
  return out.join('\n');
}
