/** Why DynamoDB Local could not be started. */
export type DynamoDbLocalErrorCode =
  /** No `java` executable was found (or the given one does not exist). */
  | 'java_not_found'
  /** The `amplify-dynamodb-simulator` package (which carries DynamoDBLocal.jar) is not installed. */
  | 'emulator_not_found'
  /** The Java process exited before it answered, or did not answer in time. */
  | 'start_failed';

/**
 * Thrown by {@link DynamoDbLocal.start} when the server cannot be started. The
 * message says what is missing and how to install it; `code` lets callers (a test
 * runner that wants to skip, a CLI that wants an exit code) tell the cases apart.
 */
export class DynamoDbLocalError extends Error {
  constructor(
    readonly code: DynamoDbLocalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DynamoDbLocalError';
  }
}
