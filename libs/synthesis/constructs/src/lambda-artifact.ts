import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UserError, appEntryPath } from '@platform/config';

/** A built Lambda deployment package: a zip on disk and its hash. */
export interface LambdaArtifact {
  /** Absolute path of the zip. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip, the form Lambda's `source_code_hash` expects. */
  readonly sha256: string;
}

/**
 * Thrown when an app's bundle has not been built. The fix it names is one that works:
 * `npm run build -- <app>` only when the app has the entry module the build bundles.
 */
export class MissingArtifactError extends UserError {
  constructor(app: string, zipPath: string, hasEntry = true) {
    super(
      hasEntry
        ? `the Lambda bundle of app "${app}" is missing (${zipPath}); build it with: npm run build -- ${app}`
        : `the Lambda bundle of app "${app}" is missing (${zipPath}) and cannot be built: there is no ${appEntryPath(app)}; set the service's "app" to an app in apps/, or create the app with: npx nx g @platform/nx-plugin:service`,
    );
  }
}

const cache = new Map<string, LambdaArtifact>();

/**
 * The build output of app `app` (`zipPath`, relative to `workspaceRoot`: the service
 * contract's artifact path), read and hashed once per process however many stacks
 * deploy it.
 */
export function lambdaArtifact(workspaceRoot: string, app: string, zipPath: string): LambdaArtifact {
  const absolute = path.resolve(workspaceRoot, zipPath);
  const cached = cache.get(absolute);
  if (cached) return cached;
  if (!existsSync(absolute)) throw new MissingArtifactError(app, zipPath, existsSync(path.join(workspaceRoot, appEntryPath(app))));
  const artifact = { zipPath: absolute, sha256: createHash('sha256').update(readFileSync(absolute)).digest('base64') };
  cache.set(absolute, artifact);
  return artifact;
}
