import { countDeclaredResources } from './declared-resources';

describe('countDeclaredResources', () => {
  it('counts one instance per plain resource', () => {
    expect(countDeclaredResources({ resource: { aws_s3_bucket: { a: {}, b: {} }, aws_iam_role: { r: {} } } })).toEqual({
      instances: 3,
      uncountable: [],
    });
  });

  it('expands for_each over a literal set (distinct keys) and a literal count', () => {
    const tf = {
      resource: {
        aws_route53_record: { v: { for_each: '${toset(["a.example.com", "b.example.com", "a.example.com"])}' } },
        aws_sqs_queue: { q: { count: 3 } },
      },
    };
    expect(countDeclaredResources(tf).instances).toBe(5);
  });

  it('lists a for_each only Terraform can evaluate instead of guessing', () => {
    const tf = { resource: { aws_route53_record: { v: { for_each: '${{ for o in x.y : o.k => o }}' } } } };
    expect(countDeclaredResources(tf)).toEqual({ instances: 0, uncountable: ['aws_route53_record.v'] });
  });
});
