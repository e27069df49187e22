// hcti's connection_info for every provider: the endpoint, region and addressing its writes use,
// and the normalisation that lets a client's read-back compare equal to what it sent.
import { requestedDestination } from './connection-info.schema';

const body = (connection_info: Record<string, unknown>) => ({ name: 'Renders', connection_info: { bucket: ' images ', key_prefix: '/cards/', ...connection_info } });
const keys = { access_key_id: 'KEYID', secret_access_key: ' secret ' };

describe('connection_info', () => {
  it.each([
    [{ provider: 'cloudflare_r2', cloudflare_account_id: '0123456789ABCDEF0123456789ABCDEF', ...keys }, 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com', 'auto', true],
    [{ provider: 'cloudflare_r2', cloudflare_account_id: '0123456789abcdef0123456789abcdef', cloudflare_jurisdiction: 'EU', ...keys }, 'https://0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com', 'auto', true],
    [{ provider: 'backblaze_b2', region: 'us-west-004', ...keys }, 'https://s3.us-west-004.backblazeb2.com', 'us-west-004', false],
    [{ provider: 'digitalocean_spaces', region: 'NYC3', ...keys }, 'https://nyc3.digitaloceanspaces.com', 'nyc3', false],
    [{ provider: 'wasabi', region: 'eu-central-1', ...keys }, 'https://s3.eu-central-1.wasabisys.com', 'eu-central-1', false],
    [{ provider: 'google_cloud_storage', access_key_id: 'GOOGTS7C7FUP3AIRVJTE2BCD', secret_access_key: 's' }, 'https://storage.googleapis.com', 'auto', true],
    [{ provider: 'other_s3_compatible', endpoint: 'https://S3.Example.com:8443/', ...keys }, 'https://s3.example.com:8443', 'us-east-1', true],
    [{ provider: 'other_s3_compatible', endpoint: 'https://s3.example.com', region: 'eu-1', force_path_style: false, ...keys }, 'https://s3.example.com', 'eu-1', false],
  ])('%o writes through %s', (connection, endpoint, region, pathStyle) => {
    const { draft, secret } = requestedDestination(body(connection));
    expect(draft).toMatchObject({ endpoint, region, force_path_style: pathStyle, bucket: 'images', prefix: 'cards', provider: connection.provider });
    expect(secret).toBe(connection.secret_access_key.trim());
  });

  it('keeps an aws_s3 destination as its role and region, without keys', () => {
    const { draft, secret } = requestedDestination(body({ provider: 'aws_s3', region: 'EU-West-1', role_arn: 'arn:aws:iam::123456789012:role/Renders' }));
    expect(draft).toMatchObject({ provider: 'aws_s3', endpoint: null, region: 'eu-west-1', role_arn: 'arn:aws:iam::123456789012:role/Renders', access_key_id: '' });
    expect(secret).toBeNull();
  });

  it('maps disabled and hcti_storage_disabled, null meaning the default', () => {
    const base = { provider: 'wasabi', region: 'us-east-1', ...keys };
    expect(requestedDestination({ ...body(base), disabled: null, hcti_storage_disabled: null }).draft).toMatchObject({ enabled: true, keep_copy: true });
    expect(requestedDestination({ ...body(base), disabled: true, hcti_storage_disabled: true }).draft).toMatchObject({ enabled: false, keep_copy: false });
  });
});
