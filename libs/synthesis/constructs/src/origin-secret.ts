import { DataResource, Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { ConstructPropsError } from './validation';

/** Props of {@link OriginSecret}. */
export interface OriginSecretProps {
  /** Provider of the region the secret lives in (the environment's primary). */
  readonly provider: AwsProvider;
  /** Secrets Manager name. */
  readonly secretName: string;
}

/**
 * The value CloudFront adds to every request it sends to the regions, kept in Secrets
 * Manager as `{"send": "<value>", "accept": ["<value>", ...]}`: CloudFront sends `send`,
 * the regions accept every value of `accept`. Terraform writes only the first value
 * (generated once, then never overwritten); rotation is three secret updates, each
 * followed by a normal deploy, so there is never a moment where CloudFront sends a value
 * a region refuses: add the new value to `accept`, then make it `send`, then drop the old
 * one from `accept` (docs/auth.md). The values end up in Terraform state, as every
 * CloudFront custom header does.
 */
export class OriginSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  /** Holds the first value, generated once at the first apply (Terraform's built-in `terraform_data`). */
  readonly firstValue: DataResource;
  /** What CloudFront sends (a token). */
  readonly headerValue: string;
  /** The accepted values joined by commas (a token), for the regional functions. */
  readonly acceptedValues: string;

  constructor(scope: Construct, id: string, props: OriginSecretProps) {
    super(scope, id);
    if (!/^[\w/+=.@-]{1,512}$/.test(props.secretName)) throw new ConstructPropsError(this, `secretName must be 1-512 of letters, digits and /_+=.@-, got "${props.secretName}"`);
    const provider = props.provider;
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      provider,
      name: props.secretName,
      description: 'Origin secret header CloudFront sends to the regional APIs: {"send": value, "accept": [values]}',
      recoveryWindowInDays: 7,
    });
    // The first value is made once, by Terraform itself (Secrets Manager's GetRandomPassword
    // would be an AWS call on every plan), and then referenced wherever it is needed. Every
    // uuid() call in an expression is a new value
    // (https://developer.hashicorp.com/terraform/language/functions/uuid), so the
    // expression lives in exactly one place: the input of a terraform_data resource, whose
    // output keeps the value in state
    // (https://developer.hashicorp.com/terraform/language/resources/terraform-data), with
    // ignore_changes on the input so later plans neither see a new value nor replace it.
    // Two UUIDs (crypto/rand, 128 random bits each) as 64 hex digits.
    this.firstValue = new DataResource(this, 'first-value', {
      input: { value: Fn.replace(Fn.join('', [Fn.uuid(), Fn.uuid()]), '-', '') },
      lifecycle: { ignoreChanges: ['input'] },
    });
    const firstValue = this.firstValue.getStringAttribute('output.value');
    const first = new SecretsmanagerSecretVersion(this, 'first-version', {
      provider,
      secretId: this.secret.id,
      secretString: Fn.jsonencode({ send: firstValue, accept: [firstValue] }),
      // Rotation happens outside Terraform: the secret's later values are not this resource's.
      lifecycle: { ignoreChanges: ['secret_string'] },
    });
    const current = new DataAwsSecretsmanagerSecretVersion(this, 'current', {
      provider,
      secretId: this.secret.id,
      dependsOn: [first],
    });
    const value = Fn.jsondecode(current.secretString);
    this.headerValue = Fn.lookup(value, 'send');
    this.acceptedValues = Fn.join(',', Fn.lookup(value, 'accept') as unknown as string[]);
  }
}
