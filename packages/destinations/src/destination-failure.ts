// Words for a failed request to a storage destination, shown to the account that owns it (the
// connection test's 400, an image's failed write): what failed, in our words and the store's
// error code, never the store's own message (which can quote the signed request) nor a secret.
import { S3ServiceException } from '@aws-sdk/client-s3';
import { EgressRefusedError } from './destination-egress';

export interface FailureContext {
  bucket: string;
  region: string;
  /** The endpoint's host, or S3's for AWS. */
  host: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** What went wrong with a request to the destination, as one sentence without a secret. */
export function describeFailure(err: unknown, ctx: FailureContext): string {
  if (err instanceof EgressRefusedError) return err.message;
  if (err instanceof S3ServiceException) {
    const status = err.$metadata?.httpStatusCode;
    const code = err.name;
    switch (code) {
      case 'InvalidAccessKeyId':
        return `the credentials were refused: ${ctx.host} does not know the access key id (InvalidAccessKeyId)`;
      case 'SignatureDoesNotMatch':
        return `the credentials were refused: the secret access key does not match the access key id (SignatureDoesNotMatch)`;
      case 'AccessDenied':
      case 'AllAccessDisabled':
      case 'InvalidToken':
      case 'ExpiredToken':
        return `the credentials were refused: access denied to bucket ${ctx.bucket} (${code})`;
      case 'NoSuchBucket':
        return `bucket ${ctx.bucket} does not exist at ${ctx.host} (NoSuchBucket)`;
      case 'PermanentRedirect':
      case 'AuthorizationHeaderMalformed':
      case 'IllegalLocationConstraintException':
        return `bucket ${ctx.bucket} is not in region ${ctx.region} (${code})`;
    }
    if (status === 403) return `the credentials were refused: access denied to bucket ${ctx.bucket} (HTTP 403${code && code !== 'Unknown' ? ` ${code}` : ''})`;
    if (status === 404) return `bucket ${ctx.bucket} does not exist at ${ctx.host} (HTTP 404)`;
    if (status === 301 || status === 307) return `bucket ${ctx.bucket} is not in region ${ctx.region} (HTTP ${status})`;
    return `the store at ${ctx.host} refused the request: ${code}${status ? ` (HTTP ${status})` : ''}`;
  }
  const e = err as { code?: string; name?: string; message?: string };
  // The SDK's retry wraps an error it does not take for an Error (one from another realm) in a
  // new one that keeps only its text: read the code from there.
  const code = e?.code ?? /\b(E[A-Z]{3,}|ERR_[A-Z_]+|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_[A-Z_]+|SELF_SIGNED_[A-Z_]+)\b/.exec(String(e?.message))?.[1];
  if (e?.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'TimeoutError') return `the endpoint ${ctx.host} did not answer in time`;
  if (code && UNREACHABLE.has(code)) return `the endpoint ${ctx.host} is unreachable (${code})`;
  if (code && /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code)) {
    return `the endpoint ${ctx.host} failed the TLS handshake (${code})`;
  }
  return `the endpoint ${ctx.host} could not be reached${code ? ` (${code})` : ''}`;
}
