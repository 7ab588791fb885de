import { AuroraGlobalDatabase } from './aurora-global-database';
import { CacheGlobalDatastore } from './cache-global-datastore';
import { EdgeCache } from './edge-cache';
import { GlobalTable } from './global-table';
import type { IGrantable, PolicyStatement } from './grants';

const ACCOUNT = '111111111111';

/** A grantee that keeps what it was given. */
class Recorder implements IGrantable {
  readonly statements: PolicyStatement[] = [];
  constructor(readonly region?: string) {}
  addToRolePolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }
}

describe('every grant returns the statement it added to the grantee', () => {
  it('GlobalTable.grantReadWrite: the replica of the region and its indexes', () => {
    const grantee = new Recorder('eu-west-1');
    const granted = GlobalTable.fromTableName('svc-dev', ACCOUNT, ['eu-west-1', 'us-east-1']).grantReadWrite(grantee, 'eu-west-1');
    expect(grantee.statements).toEqual([granted]);
    expect(granted.Resource).toEqual(['arn:aws:dynamodb:eu-west-1:111111111111:table/svc-dev', 'arn:aws:dynamodb:eu-west-1:111111111111:table/svc-dev/index/*']);
  });

  it('AuroraGlobalDatabase.grantConnect: rds-db:connect as the user, per region asked', () => {
    const grantee = new Recorder();
    const granted = AuroraGlobalDatabase.fromAttributes({ accountId: ACCOUNT, clusterResourceId: (r) => `cluster-${r}` }).grantConnect(grantee, ['eu-west-1', 'us-east-1'], 'app');
    expect(grantee.statements).toEqual([granted]);
    expect(granted).toMatchObject({ Action: ['rds-db:connect'], Resource: ['arn:aws:rds-db:eu-west-1:111111111111:dbuser:cluster-eu-west-1/app', 'arn:aws:rds-db:us-east-1:111111111111:dbuser:cluster-us-east-1/app'] });
  });

  it('CacheGlobalDatastore.grantConnect: elasticache:Connect on the region\'s group and the user', () => {
    const grantee = new Recorder();
    const granted = CacheGlobalDatastore.fromAttributes({ accountId: ACCOUNT, identifier: 'orders-dev', userName: 'orders-app' }).grantConnect(grantee, 'eu-west-1');
    expect(grantee.statements).toEqual([granted]);
    expect(granted.Action).toEqual(['elasticache:Connect']);
    expect(granted.Resource).toHaveLength(2);
  });

  it('EdgeCache.grantCreateInvalidation: this distribution only', () => {
    const grantee = new Recorder();
    const arn = 'arn:aws:cloudfront::111111111111:distribution/E123';
    const granted = EdgeCache.fromDistributionArn(arn).grantCreateInvalidation(grantee);
    expect(grantee.statements).toEqual([granted]);
    expect(granted).toEqual({ Sid: 'InvalidateOwnDistribution', Effect: 'Allow', Action: ['cloudfront:CreateInvalidation'], Resource: [arn] });
  });
});
