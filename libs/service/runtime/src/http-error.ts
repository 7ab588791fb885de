/**
 * A client-facing error raised while reading a request: its status, a stable
 * machine-readable `code` and a message that says what is wrong and how to fix it.
 * Rendered as `{ "error": { "code", "message" } }`.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `Allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
