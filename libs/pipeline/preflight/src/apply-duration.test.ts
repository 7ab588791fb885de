import { CREATE_TIMEOUT_MINUTES, applyDuration, formatMinutes, longestApply } from './apply-duration';

describe('the longest apply of a stack, by the provider\'s default create timeouts', () => {
  it('adds the timeouts along a chain of references and depends_on, and takes the longest chain', () => {
    const stack = {
      name: 's',
      json: {
        resource: {
          aws_acm_certificate_validation: { v: {} },
          aws_cloudfront_distribution: { d: { certificate: '${aws_acm_certificate_validation.v.certificate_arn}' } },
          aws_route53_record: { r: { alias: { name: '${aws_cloudfront_distribution.d.domain_name}' } } },
          aws_dynamodb_table: { t: { depends_on: ['aws_route53_record.r'] } },
          aws_rds_cluster: { c: {} },
        },
      },
    };
    expect(applyDuration(stack)).toEqual({
      stack: 's',
      minutes: 75 + 90 + 30,
      chain: [
        { type: 'aws_acm_certificate_validation', minutes: 75 },
        { type: 'aws_cloudfront_distribution', minutes: 90 },
        { type: 'aws_dynamodb_table', minutes: 30 },
      ],
    });
  });

  it('follows references to data sources, which wait for nothing themselves', () => {
    const stack = {
      name: 's',
      json: {
        data: { aws_route53_zone: { z: { name: '${aws_rds_cluster.c.id}' } } },
        resource: { aws_rds_cluster: { c: {} }, aws_acm_certificate_validation: { v: { zone: '${data.aws_route53_zone.z.zone_id}' } } },
      },
    };
    expect(applyDuration(stack).minutes).toBe(120 + 75);
  });

  it('is 0 for a stack of quick creates, and picks the longest stack of several', () => {
    const quick = { name: 'quick', json: { resource: { aws_iam_role: { r: {} } } } };
    const slow = { name: 'slow', json: { resource: { aws_elasticache_replication_group: { g: {} } } } };
    expect(applyDuration(quick).minutes).toBe(0);
    expect(longestApply([quick, slow])?.stack).toBe('slow');
    expect(longestApply([])).toBeUndefined();
  });

  it('cites a source for every timeout', () => {
    for (const t of Object.values(CREATE_TIMEOUT_MINUTES)) expect(t.source).toMatch(/^https:\/\/(registry\.terraform\.io|github\.com\/hashicorp)\//);
  });

  it.each([
    [450, '7 h 30 min'],
    [120, '2 h'],
    [45, '45 min'],
    [0, '0 min'],
  ])('formats %i minutes as %s', (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});
