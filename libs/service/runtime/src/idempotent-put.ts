import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SERVICE_TABLE } from '@platform/table-definition';
import { cancellationReasons, isThrottledCancellation, RETRY_AFTER_SECONDS, translateDynamoDbError } from './dynamodb';
import { ServiceError } from './service-error';

const PK = SERVICE_TABLE.partitionKey;
const TTL = SERVICE_TABLE.ttlAttribute;
const ATTEMPTS = 3;

/** What {@link idempotentPut} writes. */
export interface IdempotentPutRequest {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The new record; written only if its key is free. */
  readonly record: Record<string, unknown>;
  /** The idempotency record: its key, TTL, `fingerprint` and the result a retry replays. */
  readonly idempotencyRecord: Record<string, unknown> & { readonly fingerprint: string };
  /** The key of `idempotencyRecord`. */
  readonly idempotencyKey: Record<string, string>;
  readonly nowSeconds: number;
  /** What the record is, in messages (`item`, `record`). */
  readonly noun: string;
  readonly abortSignal?: AbortSignal;
  /** What to throw when the record's key is taken. @default - `conflict`, retry (a random id collided) */
  readonly recordTaken?: () => Error;
}

/**
 * Writes a new record and its idempotency record in one transaction. Returns undefined
 * when it wrote them, or the stored idempotency record when an earlier request with the
 * same key and the same fingerprint did; throws `idempotency_key_reused` for another
 * fingerprint and `conflict` while a concurrent request holds the key.
 */
export async function idempotentPut(request: IdempotentPutRequest): Promise<Record<string, unknown> | undefined> {
  const { doc, tableName, nowSeconds, abortSignal } = request;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: request.idempotencyRecord,
                // An expired record may linger until TTL deletes it (up to days); it no longer counts.
                ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
                ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
                ExpressionAttributeValues: { ':now': nowSeconds },
              },
            },
            { Put: { TableName: tableName, Item: request.record, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } } },
          ],
        }),
        { abortSignal },
      );
      return undefined;
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons || isThrottledCancellation(err)) throw translateDynamoDbError(err);
      if (reasons[0] === 'ConditionalCheckFailed') {
        let stored: Record<string, unknown> | undefined;
        try {
          stored = (await doc.send(new GetCommand({ TableName: tableName, Key: request.idempotencyKey, ConsistentRead: true }), { abortSignal })).Item;
        } catch (readErr) {
          throw translateDynamoDbError(readErr);
        }
        // Gone or expired in between: the key is free again, try once more.
        if (!stored || (typeof stored[TTL] === 'number' && stored[TTL] < nowSeconds)) continue;
        if (stored.fingerprint !== request.idempotencyRecord.fingerprint) {
          throw new ServiceError(
            'idempotency_key_reused',
            `this Idempotency-Key was already used with a different request body; use a new key for a new ${request.noun}, or resend the original body to get the original result`,
          );
        }
        return stored;
      }
      // Only once the key is free (checked first: a retry of the same create has both
      // conditions failing). For a random id, 128 bits make this all but impossible; the
      // condition makes it harmless.
      if (reasons[1] === 'ConditionalCheckFailed') throw request.recordTaken?.() ?? new ServiceError('conflict', `the new ${request.noun} id is already taken; retry the request`, { retryAfterSeconds: 0 });
      // A concurrent request holds the same key: back off and retry, after which its
      // record is there to replay. Any other reason is not ours to retry.
      if (!reasons.includes('TransactionConflict')) throw translateDynamoDbError(err);
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt + Math.random() * 25));
    }
  }
  throw new ServiceError('conflict', 'a concurrent request with the same Idempotency-Key is in progress; retry shortly', { retryAfterSeconds: RETRY_AFTER_SECONDS });
}
