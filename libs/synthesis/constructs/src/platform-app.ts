import { App } from 'cdktf';

/** Props of {@link createPlatformApp}. */
export interface PlatformAppProps {
  /** Where to write the synthesized stacks. @default "cdktf.out" */
  readonly outdir?: string;
  /**
   * Record where each construct and token was created (for cdktf's error messages).
   * Costs about a quarter of synth time on hundreds of stacks (8.4 s vs 6.0-6.6 s at 550).
   * @default false, or true when CDKTF_CREATION_STACKS=1
   */
  readonly creationStacks?: boolean;
}

/**
 * The cdktf App the platform synthesizes into. Without creation stacks it skips what
 * cdktf records for debugging only: construct stack traces (`stackTraces: false`) and
 * the full stack trace cdktf captures and formats for every token it creates, which it
 * uses solely to decorate token-resolution errors.
 */
export function createPlatformApp(props: PlatformAppProps = {}): App {
  const creationStacks = props.creationStacks ?? process.env.CDKTF_CREATION_STACKS === '1';
  if (!creationStacks) {
    // cdktf has no switch for token creation stacks; its modules call this export at
    // call time (`stack_trace_1.captureStackTrace()`), so replacing it takes effect.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stackTrace = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] };
    stackTrace.captureStackTrace = () => [];
  }
  return new App({ outdir: props.outdir, stackTraces: creationStacks });
}
