/** The part of a structured logger (Powertools `Logger`) the runtime writes to. */
export interface StructuredLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** Rounds a duration to 0.1 ms for log lines and health answers. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * A log line that CloudWatch also counts as a metric (embedded metric format):
 * `metric` = 1 with dimensions `service` and `region`.
 */
export function metricLogFields(metric: string, namespace: string): Record<string, unknown> {
  return {
    [metric]: 1,
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['service', 'region']], Metrics: [{ Name: metric, Unit: 'Count' }] }],
    },
  };
}
