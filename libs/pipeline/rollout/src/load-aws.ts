/**
 * The AWS readers, pager and credential check, loaded on demand: the AWS SDK costs start-up
 * that a `--plan` run does not need. (A CLI outside this library cannot `import()` a part of
 * it while importing the rest statically: lint forbids a library that is both.)
 */
export const loadAwsReaders = (): Promise<typeof import('./aws')> => import('./aws');
