-- Up Migration
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  customer_id text NOT NULL,
  currency char(3) NOT NULL,
  lines jsonb NOT NULL,
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  status text NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')),
  version integer NOT NULL CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- List by customer, newest first, keyset-paginated on (created_at, id).
CREATE INDEX orders_customer_created ON orders (customer_id, created_at DESC, id DESC);

-- One row per (customer, Idempotency-Key): written in the transaction that creates the
-- order, so a retried create finds the order it made.
CREATE TABLE order_idempotency (
  customer_id text NOT NULL,
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  order_id uuid NOT NULL REFERENCES orders (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, idempotency_key)
);

-- Down Migration
DROP TABLE order_idempotency;
DROP TABLE orders;
