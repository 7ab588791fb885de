import { OrdersError, type OrdersErrorDetail } from './orders-error';

/** The states of an order. */
export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The status changes an order allows; any other is a 409. */
export const ALLOWED_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  paid: ['shipped'],
  shipped: [],
  cancelled: [],
};

/** Limits of an order's input. */
export const ORDER_LIMITS = { maxLines: 100, maxQuantity: 10_000, maxPriceCents: 100_000_000, listDefault: 20, listMax: 100 } as const;

/** One line of an order; money as decimal strings with two decimals ("19.99"). */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly price: string;
}

/** An order as the API returns it. */
export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  /** Sum of quantity × price over the lines, computed by the service. */
  readonly total: string;
  readonly status: OrderStatus;
  /** Starts at 1, +1 per change: the ETag. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A validated create request: what is stored, before the service adds id, total, status and version. */
export interface NewOrder {
  readonly customerId: string;
  readonly currency: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number; readonly priceCents: number }[];
}

const SKU = /^[A-Z0-9]{3,12}(?:-[A-Z0-9]{1,12}){0,3}$/;
const CUSTOMER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const MONEY = /^(0|[1-9][0-9]{0,8})(?:\.([0-9]{1,2}))?$/;

/** Whether `id` is shaped like an order id this service issues (a UUID). */
export function isOrderId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}

/** Whether `id` is a well-formed customer id. */
export function isCustomerId(id: string): boolean {
  return CUSTOMER_ID.test(id);
}

/** Cents as a decimal string: 1999 → "19.99". */
export function formatCents(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `${whole}.${rest}`;
}

/**
 * Checks a create request and returns the order to store. Every problem is reported at
 * once (`validation_failed` with one detail per problem); nothing is written for a bad
 * request. A `total` sent by the client is refused (400): the service computes it, and
 * silently ignoring a client's total would hide a client that disagrees with it.
 */
export function parseNewOrder(body: Record<string, unknown>): NewOrder {
  const details: OrdersErrorDetail[] = [];
  const problem = (path: string, message: string) => details.push({ path, message });
  const known = new Set(['customerId', 'currency', 'lines']);
  for (const key of Object.keys(body)) {
    if (key === 'total') problem('total', 'the total is computed by the service from the lines; do not send it');
    else if (key === 'status' || key === 'id' || key === 'version') problem(key, `${key} is set by the service; do not send it`);
    else if (!known.has(key)) problem(key, 'unknown field; an order has customerId, currency and lines');
  }
  const { customerId, currency, lines } = body;
  if (typeof customerId !== 'string' || !isCustomerId(customerId)) problem('customerId', 'must be 1-64 characters A-Z, a-z, 0-9, "_" or "-"');
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) problem('currency', 'must be an ISO 4217 code in capitals, e.g. "EUR"');
  const parsedLines: { sku: string; quantity: number; priceCents: number }[] = [];
  if (!Array.isArray(lines) || lines.length === 0) problem('lines', 'must be a non-empty array of {sku, quantity, price}');
  else if (lines.length > ORDER_LIMITS.maxLines) problem('lines', `an order has at most ${ORDER_LIMITS.maxLines} lines, got ${lines.length}`);
  else {
    lines.forEach((line: unknown, i) => {
      const at = `lines[${i}]`;
      if (typeof line !== 'object' || line === null || Array.isArray(line)) return problem(at, 'must be an object {sku, quantity, price}');
      const { sku, quantity, price, ...rest } = line as Record<string, unknown>;
      for (const key of Object.keys(rest)) problem(`${at}.${key}`, 'unknown field; a line has sku, quantity and price');
      if (typeof sku !== 'string' || !SKU.test(sku)) problem(`${at}.sku`, 'must be 3-12 capitals or digits, optionally followed by up to 3 "-" parts, e.g. "ABC-123"');
      if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity <= 0 || quantity > ORDER_LIMITS.maxQuantity) {
        problem(`${at}.quantity`, `must be a whole number from 1 to ${ORDER_LIMITS.maxQuantity}`);
      }
      const priceCents = parsePrice(price);
      if (priceCents === undefined) problem(`${at}.price`, 'must be a non-negative amount with at most 2 decimals, as a number or a string, e.g. 19.99 or "19.99"');
      if (details.length === 0) parsedLines.push({ sku: sku as string, quantity: quantity as number, priceCents: priceCents! });
    });
  }
  if (details.length > 0) {
    throw new OrdersError('validation_failed', `the order is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, { details });
  }
  return { customerId: customerId as string, currency: currency as string, lines: parsedLines };
}

/** A price as whole cents, or undefined when it is not an amount with at most 2 decimals. */
export function parsePrice(price: unknown): number | undefined {
  let text: string;
  if (typeof price === 'number') {
    if (!Number.isFinite(price) || price < 0) return undefined;
    text = String(price);
  } else if (typeof price === 'string') text = price;
  else return undefined;
  const m = MONEY.exec(text);
  if (!m) return undefined;
  const cents = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return cents <= ORDER_LIMITS.maxPriceCents ? cents : undefined;
}

/** The target status of a status change request (`{"status": "paid"}`). */
export function parseStatusChange(body: Record<string, unknown>): OrderStatus {
  const { status, ...rest } = body;
  const extra = Object.keys(rest);
  if (typeof status !== 'string' || !(ORDER_STATUSES as readonly string[]).includes(status) || extra.length > 0) {
    throw new OrdersError('validation_failed', `send {"status": one of ${ORDER_STATUSES.join(', ')}}${extra.length ? `; unknown field ${extra[0]}` : ''}`, {
      details: [{ path: typeof status === 'string' && extra.length === 0 ? 'status' : extra.length ? extra[0] : 'status', message: `must be one of ${ORDER_STATUSES.join(', ')}` }],
    });
  }
  return status as OrderStatus;
}

/** Throws `illegal_transition` (409) unless `from → to` is allowed. */
export function checkTransition(from: OrderStatus, to: OrderStatus): void {
  if (!ALLOWED_TRANSITIONS[from].includes(to)) {
    const allowed = ALLOWED_TRANSITIONS[from];
    throw new OrdersError('illegal_transition', `an order in status ${from} cannot become ${to}; ${allowed.length ? `allowed: ${allowed.join(', ')}` : `${from} is final`}`);
  }
}

/** The total of the lines, in cents. */
export function totalCents(lines: NewOrder['lines']): number {
  return lines.reduce((sum, l) => sum + l.quantity * l.priceCents, 0);
}
