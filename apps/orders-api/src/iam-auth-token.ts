// The RDS IAM token source lives in the service runtime, which services generated with --data=aurora use too.
export { rdsAuthToken as iamAuthToken } from '@platform/service-runtime/relational';
