import { Router } from '@platform/service-runtime';

/** The operations of the API. */
export type RouteName = 'health' | 'listItems' | 'createItem' | 'getItem' | 'replaceItem' | 'patchItem' | 'deleteItem';

/** The items API's routes; API Gateway sends every request here through `$default`. */
export const ITEMS_ROUTER = new Router<RouteName>([
  { template: '/health', methods: { GET: 'health' } },
  { template: '/items', methods: { GET: 'listItems', POST: 'createItem' } },
  { template: '/items/{id}', methods: { GET: 'getItem', PUT: 'replaceItem', PATCH: 'patchItem', DELETE: 'deleteItem' } },
]);
