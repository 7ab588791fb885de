import * as path from 'node:path';
import { EVEN_WEIGHT, loadPlatform } from '@platform/config';
import { ALIAS_TARGET_TTL_SECONDS, AWS_EXPECTATIONS, buildReport, formatReport } from '@platform/report';
import { baseConfig, synthConfig } from './test-workspace';

const CONFIG = path.join(__dirname, '..', 'config', 'platform.json');

describe('report of the example platform', () => {
  const platform = loadPlatform(CONFIG);
  const out = synthConfig(require(CONFIG), [...new Set(platform.services.map((s) => s.app))]);
  const reports = buildReport(out.outdir);

  it('covers every service and environment of the config', () => {
    const expected = platform.services.flatMap((s) => s.environments.map((e) => `${s.name}/${e}`));
    expect(reports.map((r) => `${r.service}/${r.environment}`).sort()).toEqual(expected.sort());
  });

  it('lists the regions of each environment in config order, primary first', () => {
    for (const r of reports) {
      const regions = platform.config.environments[r.environment].regions;
      expect(r.regions).toEqual(regions);
      expect(r.primaryRegion).toBe(regions[0]);
    }
  });

  it('reports routing policy, weights and health-check figures as configured', () => {
    for (const r of reports) {
      const svc = platform.services.find((s) => s.name === r.service)!;
      for (const x of r.routing) {
        expect(x.policy).toBe(svc.routing.policy);
        if (svc.routing.policy === 'weighted') {
          expect(x.weight).toBe(svc.routing.weights[x.region] ?? EVEN_WEIGHT);
        }
        expect(x.healthCheck).toMatchObject({
          type: 'HTTPS',
          path: svc.healthCheck.path,
          intervalSeconds: svc.healthCheck.intervalSeconds,
          failureThreshold: svc.healthCheck.failureThreshold,
        });
        const detection = svc.healthCheck.intervalSeconds * svc.healthCheck.failureThreshold;
        expect(x.worstCaseFailoverSeconds).toBe(detection + ALIAS_TARGET_TTL_SECONDS);
      }
    }
  });

  it('reports the edge cache mode and TTL as configured', () => {
    for (const r of reports) {
      const svc = platform.services.find((s) => s.name === r.service)!;
      expect(r.edgeCache).toMatchObject({ mode: svc.edgeCache.mode, defaultTtlSeconds: svc.edgeCache.ttlSeconds });
    }
  });

  it('reports every data store replicating from the primary to every other region', () => {
    for (const r of reports) {
      const svc = platform.services.find((s) => s.name === r.service)!;
      const [primary, ...others] = platform.config.environments[r.environment].regions;
      const layers = [
        ...(svc.aurora ? [{ kind: 'Aurora global database', replication: AWS_EXPECTATIONS.auroraGlobal }] : []),
        ...(svc.cache ? [{ kind: 'ElastiCache global datastore', replication: AWS_EXPECTATIONS.elasticacheGlobal }] : []),
      ].map((l) => ({ ...l, name: `${r.service}-${r.environment}`, primaryRegion: primary, replicaRegions: others }));
      expect(r.dataStores).toEqual([
        {
          kind: 'DynamoDB global table',
          name: `${r.service}-${r.environment}`,
          primaryRegion: primary,
          replicaRegions: others,
          replication: AWS_EXPECTATIONS.dynamodbGlobalTable,
        },
        {
          kind: 'S3 cross-region replication',
          name: `acme-${r.service}-${r.environment}-${primary}`,
          primaryRegion: primary,
          replicaRegions: others,
          replication: AWS_EXPECTATIONS.s3Replication,
        },
        ...layers,
      ]);
    }
  });

  it('prints one block per service and environment with the worst-case failover time', () => {
    const text = formatReport(reports);
    expect(text).toContain('items / prod');
    expect(text).toContain('every 10 s x 3 = 30 s; TTL 60 s (alias target) -> out of DNS within 90 s');
    expect(text).toContain('evacuation (npm run region -- evacuate): clients stop reaching the region within 90 s (interval x threshold + TTL)');
    expect(text).toContain('orders / prod');
    expect(text).toContain('weighted 200');
  });
});

describe('report of other settings', () => {
  it('follows the config: a 30 s interval with 5 failures and failover roles', () => {
    const config = baseConfig();
    config.environments.prod.regions = ['us-east-1', 'eu-west-1'];
    config.services.items.routing = { policy: 'failover' };
    config.services.items.healthCheck = { intervalSeconds: 30, failureThreshold: 5, lambdaErrorAlarm: true };
    const [report] = buildReport(synthConfig(config).outdir);
    expect(report.routing.map((x) => [x.region, x.failoverRole, x.healthCheck.detectionSeconds, x.healthCheck.combinedWithAlarm])).toEqual([
      ['us-east-1', 'PRIMARY', 150, true],
      ['eu-west-1', 'SECONDARY', 150, true],
    ]);
    expect(report.routing[0].worstCaseFailoverSeconds).toBe(210);
    expect(report.routing[0].worstCaseEvacuationSeconds).toBe(210);
  });

  it('says clearly when nothing was synthesized', () => {
    expect(() => buildReport('/nonexistent')).toThrow('no synthesized stacks in /nonexistent/ (manifest.json missing); run: npm run synth');
  });
});
