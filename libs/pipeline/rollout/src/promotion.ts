// The deploy workflow's matrix: one entry per environment with something to deploy,
// in the promotion order (the order of `environments` in the config). deploy.yml runs
// it one environment at a time and stops at the first failure, so no environment name
// is written in the workflow and a new environment gets a deploy path by being in the config.
import type { Platform } from '@platform/config';
import { promotionOrder } from './plan';

/** One environment's deploy job. */
export interface PromotionEntry {
  readonly environment: string;
  /** Comma-separated stack names. */
  readonly stacks: string;
  readonly accountId: string;
  readonly deployRoleName: string;
  /** The primary region (for the STS call). */
  readonly region: string;
  /** Runner label of the job that migrates schemas (`environments.<env>.migrationRunner`). */
  readonly migrationRunner: string;
}

/** The environments of `byEnvironment` that have stacks, in promotion order. */
export function promotionMatrix(platform: Pick<Platform, 'config'>, byEnvironment: Readonly<Record<string, readonly string[]>>): PromotionEntry[] {
  return promotionOrder(platform)
    .filter((environment) => (byEnvironment[environment] ?? []).length > 0)
    .map((environment) => {
      const env = platform.config.environments[environment];
      return {
        environment,
        stacks: byEnvironment[environment].join(','),
        accountId: env.accountId,
        deployRoleName: env.deployRoleName,
        region: env.regions[0],
        migrationRunner: env.migrationRunner,
      };
    });
}
