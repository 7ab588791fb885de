import { renderByService, type ServiceDirectory } from './by-service';
import { ALLOW_ALL_LABEL, ALLOW_STACK_LABEL_PREFIX, type GuardFinding } from './guard';
import type { PlannedChange, StackSummary } from './summarize';

/** Hidden marker the workflow uses to find and update its one PR comment. */
export const COMMENT_MARKER = '<!-- platform-plan-review -->';

/** GitHub rejects comments over 65,536 characters; stay under with room to spare. */
export const MAX_COMMENT_CHARS = 60_000;

/** Options of {@link renderMarkdown}. */
export interface RenderOptions {
  /** @default "Terraform plan" */
  readonly title?: string;
  /** Appended at the end, e.g. a link to the workflow run. */
  readonly footer?: string;
  /** @default MAX_COMMENT_CHARS */
  readonly maxChars?: number;
  /** Groups the changes by service and mentions each service's owners. @default - no grouping */
  readonly services?: ServiceDirectory;
}

/**
 * One Markdown summary of every planned stack: a table of counts, the guard's
 * findings and how to allow them, per stack the replaced and deleted addresses, and
 * the full change list collapsed. When too long for a PR comment, the collapsed
 * lists are dropped first (they remain in the plan JSON artifacts).
 */
export function renderMarkdown(summaries: readonly StackSummary[], findings: readonly GuardFinding[], options: RenderOptions = {}): string {
  const max = options.maxChars ?? MAX_COMMENT_CHARS;
  for (const detail of ['full', 'destructive-only', 'none'] as const) {
    const text = render(summaries, findings, options, detail);
    if (text.length <= max || detail === 'none')
      return text.length <= max ? text : `${text.slice(0, max - 80)}\n\n_(summary cut to fit a comment)_\n`;
  }
  throw new Error('unreachable');
}

type Detail = 'full' | 'destructive-only' | 'none';

function render(summaries: readonly StackSummary[], findings: readonly GuardFinding[], options: RenderOptions, detail: Detail): string {
  const out: string[] = [COMMENT_MARKER];
  const changed = summaries.filter((s) => s.hasChanges);
  const blocked = findings.filter((f) => !f.allowed);
  const allowed = findings.filter((f) => f.allowed);
  out.push(`## ${options.title ?? 'Terraform plan'}`, '');
  const verdict = blocked.length > 0 ? '⛔ **blocked**' : allowed.length > 0 ? '⚠️ destructive changes allowed' : '✅';
  out.push(`${verdict} · ${summaries.length} stack${plural(summaries.length)} planned, ${changed.length} with changes`, '');

  if (summaries.length === 0) {
    out.push('No stack is affected by this change.');
    return finish(out, options);
  }

  out.push('| stack | create | update | replace | delete | |', '|---|--:|--:|--:|--:|---|');
  for (const s of summaries) {
    const c = s.counts;
    const mine = findings.filter((f) => f.stack === s.stack);
    const note = mine.some((f) => !f.allowed)
      ? '⛔ stateful resource replaced/deleted'
      : mine.length > 0
      ? '⚠️ allowed'
      : s.hasChanges
      ? c.create + c.update + c.replace + c.delete === 0
        ? outputsOrOther(s)
        : ''
      : 'no changes';
    out.push(`| \`${s.stack}\` | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${note} |`);
  }
  out.push('');
  if (options.services) out.push(...renderByService(summaries, findings, options.services));

  if (blocked.length > 0) {
    out.push('### ⛔ Stateful resources replaced or deleted', '');
    for (const f of blocked) out.push(`- \`${f.stack}\`: ${describe(f.change)}`);
    const stacks = [...new Set(blocked.map((f) => f.stack))];
    out.push(
      '',
      'These lose data or identity. If that is intended, a maintainer adds the label ' +
        stacks.map((s) => `\`${ALLOW_STACK_LABEL_PREFIX}${s}\``).join(', ') +
        ` (one per stack), or \`${ALLOW_ALL_LABEL}\` for everything in this pull request, and the check runs again.`,
      '',
    );
  }
  if (allowed.length > 0) {
    out.push('### ⚠️ Allowed destructive changes', '');
    for (const f of allowed) out.push(`- \`${f.stack}\`: ${describe(f.change)}`);
    out.push('');
  }

  for (const s of changed) {
    const destructive = s.changes.filter((c) => c.kind === 'replace' || c.kind === 'delete');
    if (detail === 'none' && destructive.length === 0) continue;
    out.push(`### \`${s.stack}\``, '');
    if (destructive.length > 0) {
      for (const c of destructive) out.push(`- ${describe(c)}`);
      out.push('');
    }
    if (s.outputChanges.length > 0) out.push(`Outputs changed: ${s.outputChanges.map((o) => `\`${o}\``).join(', ')}`, '');
    if (detail === 'full') {
      out.push(`<details><summary>All ${s.changes.length} change${plural(s.changes.length)}</summary>`, '');
      for (const c of s.changes) out.push(`- ${c.kind}${c.importing ? ' (import)' : ''} \`${c.address}\``);
      out.push('', '</details>', '');
    }
  }
  if (detail !== 'full') out.push('_Full change lists left out to fit a comment; see the plan JSON artifacts of the run._', '');
  return finish(out, options);
}

function finish(out: string[], options: RenderOptions): string {
  if (options.footer) out.push(options.footer);
  return `${out.join('\n').trimEnd()}\n`;
}

function describe(c: PlannedChange): string {
  const what =
    c.kind === 'replace'
      ? `**replace** (${c.order === 'create-first' ? 'create new, then delete old' : 'delete old, then create new'})`
      : `**${c.kind}**`;
  const why = c.replacePaths.length > 0 ? `; forced by ${c.replacePaths.map((p) => `\`${p}\``).join(', ')}` : '';
  const deposed = c.deposed ? ` (deposed object ${c.deposed})` : '';
  return `${what} \`${c.address}\`${deposed}${why}`;
}

function outputsOrOther(s: StackSummary): string {
  const parts = [];
  if (s.counts.forget > 0) parts.push(`${s.counts.forget} forgotten`);
  if (s.counts.import > 0) parts.push(`${s.counts.import} imported`);
  if (s.outputChanges.length > 0) parts.push('outputs only');
  return parts.join(', ');
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
