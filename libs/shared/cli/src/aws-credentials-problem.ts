// An AWS call that fails for want of usable credentials is something the user fixes,
// not a bug: runCli prints one line for it instead of the SDK's stack trace.

/** What to do about missing credentials, for every CLI that calls AWS. */
export const AWS_CREDENTIALS_HINT =
  'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run it in the workflow that assumes the role (aws-actions/configure-aws-credentials)';

// Error names (the `name` of the SDK v3 error, the `Code` of the API's response) that
// mean the request was signed with credentials AWS does not accept:
// every service https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html
// (ExpiredTokenException, UnrecognizedClientException), IAM and STS
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html (InvalidClientTokenId),
// S3 https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (ExpiredToken,
// InvalidAccessKeyId, InvalidToken, SignatureDoesNotMatch). RequestExpired is a clock
// problem, not a credentials one, and is left out.
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException']);
const INVALID = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'InvalidToken', 'SignatureDoesNotMatch']);

const firstLine = (err: Error) => String(err.message ?? '').split('\n')[0].trim();

/**
 * One line saying which AWS credentials are missing, expired or refused, when `err`
 * (or an error it was caused by) is one: the SDK's CredentialsProviderError (no
 * provider of the default chain found any) or TokenProviderError (an SSO token), or an
 * API's expired / invalid token error. Undefined for any other error.
 */
export function awsCredentialsProblem(err: unknown): string | undefined {
  for (let e = err as Error | undefined, depth = 0; e && depth < 5; e = (e as { cause?: Error }).cause, depth++) {
    const name = e.name;
    if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
      return `no AWS credentials (${firstLine(e)}): ${AWS_CREDENTIALS_HINT}`;
    }
    if (EXPIRED.has(name)) return `the AWS credentials have expired (${name}: ${firstLine(e)}): get new ones (aws sso login, or a new session), or ${AWS_CREDENTIALS_HINT}`;
    if (INVALID.has(name)) return `AWS refused the credentials (${name}: ${firstLine(e)}): check AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, or ${AWS_CREDENTIALS_HINT}`;
  }
  return undefined;
}
