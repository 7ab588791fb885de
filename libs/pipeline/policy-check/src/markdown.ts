import type { PolicyReport } from './check';

/** Hidden marker of the report's section in the PR comment. */
export const POLICY_REPORT_MARKER = '<!-- platform-policy-report -->';

/**
 * The report as Markdown for the PR comment: the verdict, unsuppressed findings, one
 * row per rule (passed / failed / suppressed), and every suppression with its reason.
 */
export function renderPolicyMarkdown(report: PolicyReport, maxListed = 50): string {
  const out: string[] = [POLICY_REPORT_MARKER, '## Policy rule pack', ''];
  const warnings = report.findings.filter((f) => !f.suppression && f.rule.severity === 'warning');
  const suppressed = report.findings.filter((f) => f.suppression);
  const verdict = report.errors.length > 0 ? `⛔ **${report.errors.length} unsuppressed error${report.errors.length === 1 ? '' : 's'}**` : '✅ no unsuppressed error';
  out.push(`${verdict} · ${report.stacks} stacks, ${report.resources} resources · ${warnings.length} warnings · ${suppressed.length} suppressed`, '');
  if (report.errors.length > 0) {
    out.push('### ⛔ Errors', '');
    for (const f of report.errors.slice(0, maxListed)) out.push(`- **${f.rule.id}** \`${f.resource.path}\` (${f.resource.type}): ${f.message}. Fix: ${f.rule.fix}`);
    if (report.errors.length > maxListed) out.push(`- … and ${report.errors.length - maxListed} more (see the SARIF report)`);
    out.push('');
  }
  out.push('| rule | severity | what must hold | passed | failed | suppressed |', '|---|---|---|--:|--:|--:|');
  for (const c of report.counts) {
    out.push(`| ${c.rule.id} | ${c.rule.severity} | ${c.rule.title} | ${c.passed} | ${c.failed} | ${c.suppressed} |`);
  }
  out.push('');
  if (suppressed.length > 0) {
    out.push(`<details><summary>${suppressed.length} suppressions, with their reasons</summary>`, '');
    for (const f of suppressed) out.push(`- **${f.rule.id}** \`${f.resource.path}\` (${f.suppression!.where}): ${f.suppression!.reason}`);
    out.push('', '</details>', '');
  }
  if (warnings.length > 0) {
    out.push(`<details><summary>${warnings.length} warnings</summary>`, '');
    for (const f of warnings.slice(0, maxListed)) out.push(`- **${f.rule.id}** \`${f.resource.path}\`: ${f.message}`);
    out.push('', '</details>', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
