// The AWS side of the rollout: CloudWatch for composite alarms and Route53 health
// check status (its HealthCheckStatus metric, in us-east-1), Route53 for finding a
// health check by its Name tag and for forcing it unhealthy. Nothing here runs in
// tests or locally; the interfaces it implements have fakes and local versions.
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  ChangeTagsForResourceCommand,
  GetHealthCheckCommand,
  ListHealthChecksCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { EDGE_REGION, EVACUATION_TAGS } from '@platform/config';
import type { EvacuationNote, RoutingCheck, RoutingCheckState, RoutingControl } from './evacuation';
import type { Pager } from './execute';
import type { AlarmReader, AlarmState, HealthCheckReader } from './gates';
import type { Wave } from './plan';

/**
 * Resolves the default credential chain once. A rollout step calls it before it changes
 * anything: without it, a run with no credentials would deploy, find every gate
 * unreadable and roll back, instead of stopping in one line (runCli prints the SDK's
 * CredentialsProviderError as one).
 */
export async function requireCredentials(): Promise<void> {
  await fromNodeProviderChain()();
}

/** Composite (and metric) alarm states through DescribeAlarms, one client per region. */
export class CloudWatchAlarmReader implements AlarmReader {
  private readonly clients = new Map<string, CloudWatchClient>();

  client(region: string): CloudWatchClient {
    let c = this.clients.get(region);
    if (!c) this.clients.set(region, (c = new CloudWatchClient({ region })));
    return c;
  }

  async alarmStates(region: string, alarmNames: readonly string[]): Promise<ReadonlyMap<string, AlarmState>> {
    const states = new Map<string, AlarmState>();
    // DescribeAlarms takes at most 100 names per call.
    for (let i = 0; i < alarmNames.length; i += 100) {
      const out = await this.client(region).send(
        new DescribeAlarmsCommand({ AlarmNames: alarmNames.slice(i, i + 100), AlarmTypes: ['CompositeAlarm', 'MetricAlarm'] }),
      );
      for (const a of [...(out.CompositeAlarms ?? []), ...(out.MetricAlarms ?? [])]) {
        if (a.AlarmName && a.StateValue) states.set(a.AlarmName, a.StateValue as AlarmState);
      }
    }
    return states;
  }
}

/** Health check ids by their Name tag (ListHealthChecks, then tags ten at a time). */
async function healthCheckIdsByName(route53: Route53Client): Promise<Map<string, string>> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await route53.send(new ListHealthChecksCommand({ Marker: marker, MaxItems: 1000 }));
    ids.push(...(page.HealthChecks ?? []).map((h) => h.Id!).filter(Boolean));
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  const byName = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 10) {
    const out = await route53.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: ids.slice(i, i + 10) }));
    for (const set of out.ResourceTagSets ?? []) {
      const name = set.Tags?.find((t) => t.Key === 'Name')?.Value;
      if (name && set.ResourceId) byName.set(name, set.ResourceId);
    }
  }
  return byName;
}

/**
 * Route53 health checks: found by Name tag; status from the `AWS/Route53`
 * `HealthCheckStatus` metric (what routing uses, inversion included; 1 healthy), the
 * last minute's minimum; evacuation through UpdateHealthCheck and tags.
 */
export class Route53Health implements HealthCheckReader, RoutingControl {
  private ids: Promise<Map<string, string>> | undefined;
  private clients: { route53: Route53Client; cloudWatch: CloudWatchClient } | undefined;

  // Made on first use, so bad input is refused before the SDK loads its configuration.
  // Route53 is global; its API and its metrics are in us-east-1.
  get route53(): Route53Client {
    this.clients ??= { route53: new Route53Client({ region: EDGE_REGION }), cloudWatch: new CloudWatchClient({ region: EDGE_REGION }) };
    return this.clients.route53;
  }

  get cloudWatch(): CloudWatchClient {
    void this.route53;
    return this.clients!.cloudWatch;
  }

  private idsByName(): Promise<Map<string, string>> {
    this.ids ??= healthCheckIdsByName(this.route53);
    return this.ids;
  }

  private async status(ids: readonly string[]): Promise<Map<string, boolean>> {
    const end = new Date();
    const out = await this.cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 5 * 60_000),
        EndTime: end,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: ids.map((id, i) => ({
          Id: `h${i}`,
          MetricStat: { Metric: { Namespace: 'AWS/Route53', MetricName: 'HealthCheckStatus', Dimensions: [{ Name: 'HealthCheckId', Value: id }] }, Period: 60, Stat: 'Minimum' },
        })),
      }),
    );
    const healthy = new Map<string, boolean>();
    for (const r of out.MetricDataResults ?? []) {
      const i = Number(r.Id?.slice(1));
      if (r.Values?.length) healthy.set(ids[i], r.Values[0] >= 1);
    }
    return healthy;
  }

  async healthChecks(names: readonly string[]): Promise<ReadonlyMap<string, boolean>> {
    const byName = await this.idsByName();
    const found = names.filter((n) => byName.has(n));
    const status = found.length ? await this.status(found.map((n) => byName.get(n)!)) : new Map<string, boolean>();
    const result = new Map<string, boolean>();
    for (const n of found) {
      const h = status.get(byName.get(n)!);
      // No datapoint: unknown, which a gate treats as "not found" (failed).
      if (h !== undefined) result.set(n, h);
    }
    return result;
  }

  async read(checks: readonly RoutingCheck[]): Promise<ReadonlyMap<string, RoutingCheckState>> {
    const byName = await this.idsByName();
    const found = checks.filter((c) => byName.has(c.name));
    const status = found.length ? await this.status(found.map((c) => byName.get(c.name)!)) : new Map<string, boolean>();
    const tags = new Map<string, Record<string, string>>();
    const ids = found.map((c) => byName.get(c.name)!);
    for (let i = 0; i < ids.length; i += 10) {
      const out = await this.route53.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: ids.slice(i, i + 10) }));
      for (const set of out.ResourceTagSets ?? []) tags.set(set.ResourceId!, Object.fromEntries((set.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])));
    }
    const result = new Map<string, RoutingCheckState>();
    for (const c of found) {
      const id = byName.get(c.name)!;
      const cfg = (await this.route53.send(new GetHealthCheckCommand({ HealthCheckId: id }))).HealthCheck?.HealthCheckConfig;
      const t = tags.get(id) ?? {};
      const evacuated = !!cfg?.Inverted && !!cfg?.Disabled;
      result.set(c.name, {
        evacuated,
        healthy: status.get(id),
        ...(evacuated && t[EVACUATION_TAGS.by] ? { note: { by: t[EVACUATION_TAGS.by], at: t[EVACUATION_TAGS.at], reason: t[EVACUATION_TAGS.reason] } } : {}),
      });
    }
    return result;
  }

  async setEvacuated(check: RoutingCheck, note: EvacuationNote | undefined): Promise<void> {
    const id = (await this.idsByName()).get(check.name);
    if (!id) throw new Error(`no Route53 health check tagged Name=${check.name}`);
    await this.route53.send(new UpdateHealthCheckCommand({ HealthCheckId: id, Inverted: !!note, Disabled: !!note }));
    await this.route53.send(
      note
        ? new ChangeTagsForResourceCommand({
            ResourceType: 'healthcheck',
            ResourceId: id,
            // Tag values: at most 256 characters.
            AddTags: [
              { Key: EVACUATION_TAGS.by, Value: note.by.slice(0, 256) },
              { Key: EVACUATION_TAGS.at, Value: note.at },
              { Key: EVACUATION_TAGS.reason, Value: note.reason.slice(0, 256) },
            ],
          })
        : new ChangeTagsForResourceCommand({ ResourceType: 'healthcheck', ResourceId: id, RemoveTagKeys: Object.values(EVACUATION_TAGS) }),
    );
  }
}

/**
 * Pages by setting the failed wave's composite "region unhealthy" alarms to ALARM
 * (SetAlarmState): their alarm actions publish to the environment's alarm topic, which
 * is what on-call is subscribed to. (No SNS client is needed, and the page arrives
 * through the path every other page takes.) A global wave has no alarms of its own:
 * `fallbackAlarms` (the primary region's) are used.
 */
export class AlarmTopicPager implements Pager {
  constructor(
    private readonly alarms: CloudWatchAlarmReader,
    private readonly fallback: { readonly region: string; readonly alarmNames: readonly string[] },
  ) {}

  async page(subject: string, message: string, wave: Wave): Promise<void> {
    const targets = wave.gates.filter((g) => g.kind === 'alarm').map((g) => ({ region: g.region, name: g.name }));
    const list = targets.length ? targets : this.fallback.alarmNames.map((name) => ({ region: this.fallback.region, name }));
    // StateReason: at most 1023 characters.
    const reason = `${subject}: ${message}`.slice(0, 1023);
    for (const t of list) {
      await this.alarms.client(t.region).send(new SetAlarmStateCommand({ AlarmName: t.name, StateValue: 'ALARM', StateReason: reason }));
    }
  }
}
