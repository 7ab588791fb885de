-- Up Migration
-- Idempotency records expire (IDEMPOTENCY_TTL_SECONDS after created_at): the app
-- ignores expired ones on lookup and deletes a few on every keyed create, oldest first,
-- through this index. Expand only: the code already running neither needs nor minds it.
CREATE INDEX IF NOT EXISTS order_idempotency_created ON order_idempotency (created_at);

-- Down Migration
DROP INDEX IF EXISTS order_idempotency_created;
