// Fakes of the rollout's AWS-facing interfaces, for tests.
import type { EvacuationNote, RoutingCheck, RoutingCheckState, RoutingControl } from '../evacuation';
import type { AlarmReader, AlarmState, HealthCheckReader } from '../gates';
import type { Clock, Pager, StackDeployer } from '../execute';
import type { Wave } from '../plan';

/** Alarm states set by the test; every alarm asked about is OK unless set, or `failReads` is set. */
export class FakeAlarms implements AlarmReader {
  readonly states = new Map<string, AlarmState>();
  readonly missing = new Set<string>();
  failReads: string | undefined;
  reads = 0;
  async alarmStates(_region: string, names: readonly string[]): Promise<ReadonlyMap<string, AlarmState>> {
    this.reads++;
    if (this.failReads) throw new Error(this.failReads);
    return new Map(names.filter((n) => !this.missing.has(n)).map((n) => [n, this.states.get(n) ?? 'OK']));
  }
}

/** Health checks healthy unless set unhealthy. */
export class FakeHealthChecks implements HealthCheckReader {
  readonly unhealthy = new Set<string>();
  failReads: string | undefined;
  async healthChecks(names: readonly string[]): Promise<ReadonlyMap<string, boolean>> {
    if (this.failReads) throw new Error(this.failReads);
    return new Map(names.map((n) => [n, !this.unhealthy.has(n)]));
  }
}

/** Records every deploy; `onDeploy` may throw or change gates. */
export class FakeDeployer implements StackDeployer {
  readonly calls: { stacks: readonly string[]; commit?: string }[] = [];
  onDeploy: (stacks: readonly string[], commit?: string) => void = () => undefined;
  async deploy(stacks: readonly string[], commit?: string): Promise<void> {
    this.calls.push({ stacks, ...(commit ? { commit } : {}) });
    this.onDeploy(stacks, commit);
  }
}

export class FakePager implements Pager {
  readonly pages: { subject: string; message: string; wave: string }[] = [];
  async page(subject: string, message: string, wave: Wave): Promise<void> {
    this.pages.push({ subject, message, wave: wave.name });
  }
}

/** A clock that advances only when slept on. */
export class FakeClock implements Clock {
  t = Date.UTC(2026, 0, 1);
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}

/** Routing checks in memory: every check of `names` exists, healthy and routing. */
export class FakeRouting implements RoutingControl {
  readonly states = new Map<string, RoutingCheckState>();
  readonly changes: { name: string; note?: EvacuationNote }[] = [];
  constructor(names: readonly string[]) {
    for (const n of names) this.states.set(n, { evacuated: false, healthy: true });
  }
  async read(checks: readonly RoutingCheck[]): Promise<ReadonlyMap<string, RoutingCheckState>> {
    return new Map(checks.filter((c) => this.states.has(c.name)).map((c) => [c.name, this.states.get(c.name)!]));
  }
  async setEvacuated(check: RoutingCheck, note: EvacuationNote | undefined): Promise<void> {
    this.changes.push({ name: check.name, ...(note ? { note } : {}) });
    this.states.set(check.name, { ...this.states.get(check.name)!, evacuated: !!note, ...(note ? { note } : { note: undefined }) });
  }
}
