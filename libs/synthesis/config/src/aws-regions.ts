/**
 * AWS commercial regions the platform accepts. A region outside this list is a
 * config error (most often a typo such as `eu-west1`), so synth never produces a
 * provider Terraform would reject at plan time.
 */
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

export type AwsRegion = (typeof AWS_REGIONS)[number];

const REGION_SET: ReadonlySet<string> = new Set(AWS_REGIONS);

/** True when `name` is a region the platform can deploy to. */
export function isAwsRegion(name: string): name is AwsRegion {
  return REGION_SET.has(name);
}

// Region codes of the partitions other than `aws`, as the AWS SDK's endpoint rules
// (partitions.json, "regionRegex") tell them apart. A partition has its own IAM, its own
// ARNs (arn:aws-cn:...) and no cross-partition replication:
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
const OTHER_PARTITIONS: readonly [RegExp, string][] = [
  [/^cn-\w+-\d+$/, 'aws-cn'],
  [/^us-gov-\w+-\d+$/, 'aws-us-gov'],
  [/^us-iso-\w+-\d+$/, 'aws-iso'],
  [/^us-isob-\w+-\d+$/, 'aws-iso-b'],
  [/^eu-isoe-\w+-\d+$/, 'aws-iso-e'],
  [/^us-isof-\w+-\d+$/, 'aws-iso-f'],
  [/^eusc-\w+-\w+-\d+$/, 'aws-eusc'],
];

/** The partition of a region outside the `aws` partition (`cn-north-1` is in `aws-cn`), else undefined. */
export function otherPartition(name: string): string | undefined {
  return OTHER_PARTITIONS.find(([pattern]) => pattern.test(name))?.[1];
}

/** The known region nearest to a misspelt one (edit distance at most 2), if any. */
export function closestRegion(name: string): AwsRegion | undefined {
  let best: AwsRegion | undefined;
  let bestDistance = 3;
  for (const region of AWS_REGIONS) {
    const d = editDistance(name.toLowerCase(), region);
    if (d < bestDistance) {
      best = region;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
