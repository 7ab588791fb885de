// Reading a wave's gates. Two readers, each behind an interface so the executor is
// tested with fakes and the pipeline uses the AWS SDK (aws-gates.ts). A gate that
// cannot be read is a failed gate, never a passed one.
import type { Gate } from './plan';

/** State of a CloudWatch alarm, as CloudWatch names it. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Reads CloudWatch alarm states (metric or composite) in one region. */
export interface AlarmReader {
  /** State of each named alarm; an alarm that does not exist is absent from the map. */
  alarmStates(region: string, alarmNames: readonly string[]): Promise<ReadonlyMap<string, AlarmState>>;
}

/** Reads Route53 health checks, found by their `Name` tag. */
export interface HealthCheckReader {
  /** Whether each named check is healthy now; a check that does not exist is absent from the map. */
  healthChecks(names: readonly string[]): Promise<ReadonlyMap<string, boolean>>;
}

/** The outcome of one gate at one reading. */
export interface GateResult {
  readonly gate: Gate;
  readonly ok: boolean;
  /** Why it failed: `ALARM`, `INSUFFICIENT_DATA`, `unhealthy`, `not found`, or the read error. */
  readonly detail: string;
}

function describe(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

/**
 * Reads every gate once. Alarms must be OK (INSUFFICIENT_DATA is not OK: a composite
 * alarm with no data cannot vouch for the region); health checks must be healthy.
 */
export async function readGates(gates: readonly Gate[], readers: { alarms: AlarmReader; healthChecks: HealthCheckReader }): Promise<GateResult[]> {
  const alarmsByRegion = new Map<string, Gate[]>();
  for (const g of gates.filter((g) => g.kind === 'alarm')) alarmsByRegion.set(g.region, [...(alarmsByRegion.get(g.region) ?? []), g]);
  const checks = gates.filter((g) => g.kind === 'health-check');
  const results: GateResult[] = [];
  for (const [region, alarmGates] of alarmsByRegion) {
    try {
      const states = await readers.alarms.alarmStates(region, alarmGates.map((g) => g.name));
      for (const gate of alarmGates) {
        const state = states.get(gate.name);
        results.push({ gate, ok: state === 'OK', detail: state ?? 'not found' });
      }
    } catch (err) {
      for (const gate of alarmGates) results.push({ gate, ok: false, detail: `cannot be read: ${describe(err)}` });
    }
  }
  if (checks.length > 0) {
    try {
      const healthy = await readers.healthChecks.healthChecks(checks.map((g) => g.name));
      for (const gate of checks) {
        const h = healthy.get(gate.name);
        results.push({ gate, ok: h === true, detail: h === undefined ? 'not found' : h ? 'healthy' : 'unhealthy' });
      }
    } catch (err) {
      for (const gate of checks) results.push({ gate, ok: false, detail: `cannot be read: ${describe(err)}` });
    }
  }
  return results;
}

/** One line per failed gate. */
export function describeFailures(results: readonly GateResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => `${r.gate.kind} ${r.gate.name} (${r.gate.region}): ${r.detail}`);
}
