import { EDGE_REGION, LOG_DESTINATION_NAME, MONITORING_SINK_NAME, type PlatformConfig, type ObservabilityConfig, alarmTopicName } from '@platform/config';

/** The alarm topic of one environment in one region. */
export interface AlarmTopicPlan {
  readonly environment: string;
  readonly region: string;
  readonly topicName: string;
  readonly subscribers: ObservabilityConfig['subscribers'];
}

/** What the bootstrap builds in one account for alarms and the central monitoring account. */
export interface AccountObservability {
  /** Every region this part needs a provider in. */
  readonly regions: readonly string[];
  /** One per environment of the account and region it uses (plus us-east-1, where the edge alarms are). */
  readonly alarmTopics: readonly AlarmTopicPlan[];
  /** In the central monitoring account: an OAM sink per region that these accounts may link to. */
  readonly sink?: { readonly name: string; readonly sourceAccountIds: readonly string[] };
  /**
   * In the central monitoring account, when the config forwards logs: a CloudWatch Logs
   * destination per region the environments use, which these accounts may subscribe to.
   */
  readonly logDestination?: { readonly name: string; readonly regions: readonly string[]; readonly sourceAccountIds: readonly string[] };
  /** In an environment account: a link per region to the central account's sink there. */
  readonly link?: { readonly monitoringAccountId: string };
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/**
 * The observability part of one account's bootstrap, or undefined when it has none:
 * alarm topics in an environment account (topics are per region, and every service of
 * the environment notifies the same one), and the OAM sink or links when the config
 * names a central monitoring account.
 */
export function planAccountObservability(config: PlatformConfig, accountId: string, environments: readonly string[]): AccountObservability | undefined {
  const central = config.observability.accountId;
  const regionsOf = (envs: readonly string[]) => sorted([...envs.flatMap((e) => config.environments[e].regions), EDGE_REGION]);
  if (accountId === central) {
    const sources = Object.values(config.environments).map((e) => e.accountId);
    const sourceAccountIds = sorted(sources);
    return {
      regions: regionsOf(Object.keys(config.environments)),
      alarmTopics: [],
      sink: { name: MONITORING_SINK_NAME, sourceAccountIds },
      ...(config.observability.forwardLogs
        ? {
            logDestination: {
              name: LOG_DESTINATION_NAME,
              // Services run only in the environments' regions (us-east-1 holds edge alarms, no function logs).
              regions: sorted(Object.values(config.environments).flatMap((e) => e.regions)),
              sourceAccountIds,
            },
          }
        : {}),
    };
  }
  if (environments.length === 0) return undefined;
  const alarmTopics = environments.flatMap((environment) =>
    sorted([...config.environments[environment].regions, EDGE_REGION]).map((region) => ({
      environment,
      region,
      topicName: alarmTopicName(environment),
      subscribers: config.observability.subscribers,
    })),
  );
  return {
    regions: regionsOf(environments),
    alarmTopics,
    ...(central ? { link: { monitoringAccountId: central } } : {}),
  };
}
