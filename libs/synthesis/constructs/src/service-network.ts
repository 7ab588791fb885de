import { Construct } from 'constructs';
import { DataAwsSubnets } from '@cdktf/provider-aws/lib/data-aws-subnets';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';

/** Props of {@link NetworkLookup}. */
export interface NetworkLookupProps {
  readonly provider: AwsProvider;
  /** The VPC, by id or by tags. */
  readonly vpc: { readonly id: string } | { readonly tags: Readonly<Record<string, string>> };
  /** Its private subnets, by ids or by tags. */
  readonly privateSubnets: { readonly ids: readonly string[] } | { readonly tags: Readonly<Record<string, string>> };
}

/**
 * Finds an existing VPC and its private subnets with data sources (networks usually
 * belong to a network team, not to the service's stacks).
 */
export class NetworkLookup extends Construct {
  readonly vpcId: string;
  readonly subnetIds: string[];

  constructor(scope: Construct, id: string, props: NetworkLookupProps) {
    super(scope, id);
    const provider = props.provider;
    const vpc = new DataAwsVpc(this, 'vpc', {
      provider,
      ...('id' in props.vpc ? { id: props.vpc.id } : { tags: { ...props.vpc.tags } }),
    });
    this.vpcId = vpc.id;
    const subnets = new DataAwsSubnets(this, 'private-subnets', {
      provider,
      filter: [
        { name: 'vpc-id', values: [vpc.id] },
        ...('ids' in props.privateSubnets ? [{ name: 'subnet-id', values: [...props.privateSubnets.ids] }] : []),
      ],
      ...('tags' in props.privateSubnets ? { tags: { ...props.privateSubnets.tags } } : {}),
    });
    this.subnetIds = subnets.ids;
  }
}

/** Props of {@link ServiceNetwork}. */
export interface ServiceNetworkProps extends NetworkLookupProps {
  /** Prefix of the security group names, e.g. `items-prod`. */
  readonly namePrefix: string;
  /** Port of the database, when there is one (5432 PostgreSQL, 3306 MySQL). @default - no database group */
  readonly databasePort?: number;
  /** Port of the cache, when there is one. @default - no cache group */
  readonly cachePort?: number;
}

/**
 * The service's place in an existing network of one region: the VPC and private
 * subnets looked up ({@link NetworkLookup}), a security group for the service's
 * Lambda, and groups for the database and cache that admit only that Lambda group
 * on their port.
 */
export class ServiceNetwork extends Construct {
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly lambdaSecurityGroup: SecurityGroup;
  readonly databaseSecurityGroup?: SecurityGroup;
  readonly cacheSecurityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: ServiceNetworkProps) {
    super(scope, id);
    const provider = props.provider;
    const lookup = new NetworkLookup(this, 'lookup', props);
    this.vpcId = lookup.vpcId;
    this.subnetIds = lookup.subnetIds;
    const vpc = { id: lookup.vpcId };

    this.lambdaSecurityGroup = new SecurityGroup(this, 'lambda', {
      provider,
      name: `${props.namePrefix}-lambda`,
      description: `Lambda of ${props.namePrefix}: may reach its database and cache`,
      vpcId: vpc.id,
    });
    // The function calls DynamoDB, CloudFront and Secrets Manager over HTTPS too.
    new VpcSecurityGroupEgressRule(this, 'lambda-egress-https', {
      provider,
      securityGroupId: this.lambdaSecurityGroup.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
      description: 'AWS APIs over HTTPS',
    });

    const guarded = (name: 'database' | 'cache', port: number) => {
      const group = new SecurityGroup(this, name, {
        provider,
        name: `${props.namePrefix}-${name}`,
        description: `${name} of ${props.namePrefix}: reachable only from its Lambda`,
        vpcId: vpc.id,
      });
      new VpcSecurityGroupIngressRule(this, `${name}-from-lambda`, {
        provider,
        securityGroupId: group.id,
        referencedSecurityGroupId: this.lambdaSecurityGroup.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: `from the ${props.namePrefix} Lambda only`,
      });
      new VpcSecurityGroupEgressRule(this, `lambda-to-${name}`, {
        provider,
        securityGroupId: this.lambdaSecurityGroup.id,
        referencedSecurityGroupId: group.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: `to the ${name}`,
      });
      return group;
    };
    if (props.databasePort) this.databaseSecurityGroup = guarded('database', props.databasePort);
    if (props.cachePort) this.cacheSecurityGroup = guarded('cache', props.cachePort);
  }
}
