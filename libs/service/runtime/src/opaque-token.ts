// Kept free of any client, so every service (and every repository) can use it.

/** A small JSON object as an opaque, URL-safe token (base64url): list cursors, consistency tokens. */
export function encodeOpaqueToken(fields: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

/**
 * The object in a token from {@link encodeOpaqueToken}, or undefined for anything that is
 * not one: empty, longer than `maxChars`, not base64url, not JSON, not an object. Tokens
 * are not signed (a service has no secret to sign with): the caller checks every field
 * and refuses any other, so a forged token can only name what a real one could.
 */
export function decodeOpaqueToken(token: string, maxChars: number): Record<string, unknown> | undefined {
  if (token.length === 0 || token.length > maxChars || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}
