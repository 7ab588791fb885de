import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** A built Lambda deployment package: a zip on disk and its hash. */
export interface LambdaArtifact {
  /** Absolute path of the zip. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip, the form Lambda's `source_code_hash` expects. */
  readonly sha256: string;
}

/** Thrown when an app's bundle has not been built. */
export class MissingArtifactError extends Error {
  constructor(app: string, zipPath: string) {
    super(`the Lambda bundle of app "${app}" is missing (${zipPath}); build it with: node tools/build-lambda.mjs ${app}`);
    this.name = 'MissingArtifactError';
  }
}

const cache = new Map<string, LambdaArtifact>();

/**
 * The build output of app `app` (dist/apps/<app>/lambda.zip under `workspaceRoot`),
 * read and hashed once per process however many stacks deploy it.
 */
export function lambdaArtifact(workspaceRoot: string, app: string): LambdaArtifact {
  const zipPath = path.resolve(workspaceRoot, 'dist', 'apps', app, 'lambda.zip');
  const cached = cache.get(zipPath);
  if (cached) return cached;
  if (!existsSync(zipPath)) throw new MissingArtifactError(app, zipPath);
  const artifact = { zipPath, sha256: createHash('sha256').update(readFileSync(zipPath)).digest('base64') };
  cache.set(zipPath, artifact);
  return artifact;
}
