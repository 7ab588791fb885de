// The size rules live in the service runtime, shared by every service's data access.
export { DYNAMODB_MAX_ITEM_BYTES, itemSizeBytes } from '@platform/service-runtime';
