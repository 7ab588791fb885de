import type { PolicyReport } from './check';

/**
 * The report as SARIF 2.1.0, for GitHub code scanning: one rule descriptor per rule,
 * one result per finding located in the stack's cdk.tf.json with the construct path
 * as logical location; suppressed findings carry their justification.
 */
export function renderSarif(report: PolicyReport): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'platform-policy-check',
            informationUri: 'https://github.com/acme/platform/blob/main/docs/security.md',
            rules: report.counts.map(({ rule }) => ({
              id: rule.id,
              shortDescription: { text: rule.title },
              help: { text: `Fix: ${rule.fix}` },
              defaultConfiguration: { level: rule.severity },
            })),
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.rule.id,
          level: f.rule.severity,
          message: { text: `${f.resource.path} (${f.resource.type}): ${f.message}. Fix: ${f.rule.fix}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: f.resource.file.split('\\').join('/') } },
              logicalLocations: [{ fullyQualifiedName: f.resource.path, name: f.resource.address, kind: 'resource' }],
            },
          ],
          partialFingerprints: { constructPath: `${f.rule.id}:${f.resource.path}` },
          ...(f.suppression ? { suppressions: [{ kind: f.suppression.where === 'inline' ? 'inSource' : 'external', justification: f.suppression.reason }] } : {}),
        })),
      },
    ],
  };
}
