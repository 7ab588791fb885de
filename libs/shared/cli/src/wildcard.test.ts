import { wildcardMatcher } from './wildcard';

describe('wildcardMatcher', () => {
  it('given a star, when it spans slashes and dots, then it matches', () => {
    expect(wildcardMatcher('bootstrap-*/pipeline/deploy-policy')('bootstrap-dev/a/b/pipeline/deploy-policy')).toBe(true);
    expect(wildcardMatcher('aws_s3_bucket.*')('aws_s3_bucket.objects_bucket-eu-west-1_9C9C')).toBe(true);
    expect(wildcardMatcher('items-*-global')('items-dev-eu-west-1')).toBe(false);
  });

  it('given glob syntax other than the star, when matching, then it is literal', () => {
    for (const literal of ['table.replica[0]', 'a{b,c}', '!neg', 'a+(b)', 'a?b', 'back\\slash']) {
      expect(wildcardMatcher(literal)(literal)).toBe(true);
    }
    expect(wildcardMatcher('a?b')('axb')).toBe(false);
    expect(wildcardMatcher('table.replica[0]')('table.replica0')).toBe(false);
  });

  it('given questionMark and ignoreCase, when matching IAM actions, then ? is one character and case is ignored', () => {
    const m = wildcardMatcher('iam:Get?ole*', { questionMark: true, ignoreCase: true });
    expect(m('iam:getrolepolicy')).toBe(true);
    expect(m('iam:GetRle')).toBe(false);
  });
});
