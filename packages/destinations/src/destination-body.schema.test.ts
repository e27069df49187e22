// The bodies of POST and PUT /v1/storage-destinations: defaults, and a 400 naming the first bad
// field for each kind of mistake.
import { ValidationError } from '@pixelfarm/errors';
import { destinationCreateSchema, destinationUpdateSchema, draftOf, parseDestinationBody } from './destination-body.schema';

const BASE = { name: 'Renders', bucket: 'my-rendered-images', access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const create = (body: unknown) => parseDestinationBody(destinationCreateSchema, body);

describe('destination bodies', () => {
  it('fills in the defaults: enabled, keeping our copy, no prefix, virtual-host addressing', () => {
    expect(draftOf(create({ ...BASE, region: 'eu-central-1' }))).toEqual({
      name: 'Renders',
      provider: 'other_s3_compatible',
      role_arn: null,
      cloudflare_account_id: null,
      cloudflare_jurisdiction: null,
      endpoint: null,
      region: 'eu-central-1',
      force_path_style: false,
      bucket: 'my-rendered-images',
      prefix: '',
      access_key_id: 'AKIAIOSFODNN7EXAMPLE',
      keep_copy: true,
      enabled: true,
    });
  });

  it('takes a custom endpoint as its origin, with us-east-1 when no region is given', () => {
    const draft = draftOf(create({ ...BASE, endpoint: 'https://S3.Example.com:8443/', prefix: 'renders/2024', force_path_style: true, keep_copy: false, enabled: false }));
    expect(draft).toMatchObject({ endpoint: 'https://s3.example.com:8443', region: 'us-east-1', prefix: 'renders/2024', force_path_style: true, keep_copy: false, enabled: false });
    expect(draftOf(create({ ...BASE, endpoint: null, region: 'us-west-2' })).endpoint).toBeNull();
  });

  it('needs a region for AWS', () => {
    expect(() => draftOf(create(BASE))).toThrow(new ValidationError('region is required for AWS S3 (a destination without endpoint)'));
  });

  it.each([
    [{ ...BASE, name: undefined }, 'name is required'],
    [{ ...BASE, name: '  ' }, 'name must not be empty'],
    [{ ...BASE, name: 'n'.repeat(256) }, 'name is longer than 255 characters'],
    [{ ...BASE, bucket: 'My_Bucket' }, 'bucket must be 3 to 63 lowercase letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit'],
    [{ ...BASE, bucket: 'ab' }, 'bucket must be 3 to 63'],
    [{ ...BASE, secret_access_key: undefined }, 'secret_access_key is required'],
    [{ ...BASE, secret_access_key: '' }, 'secret_access_key must not be empty'],
    [{ ...BASE, access_key_id: 'has space' }, 'access_key_id must be printable ASCII without spaces'],
    [{ ...BASE, prefix: '/renders' }, 'prefix takes no leading or trailing slash'],
    [{ ...BASE, prefix: 'renders/' }, 'prefix takes no leading or trailing slash'],
    [{ ...BASE, prefix: 'a//b' }, 'prefix must not hold empty, . or .. segments'],
    [{ ...BASE, prefix: 'a/../b' }, 'prefix must not hold empty, . or .. segments'],
    [{ ...BASE, prefix: 'a b' }, "prefix may use letters, digits, / and ! - _ . * ' ( ) only"],
    [{ ...BASE, region: 'EU Central' }, 'region must be a region name such as us-east-1'],
    [{ ...BASE, endpoint: 'https://s3.example.com/bucket' }, 'endpoint must be an origin (scheme, host and port) without a path, query string or fragment'],
    [{ ...BASE, endpoint: 'https://k:s@s3.example.com' }, 'endpoint must not hold credentials: send them in access_key_id and secret_access_key'],
    [{ ...BASE, endpoint: 'ftp://s3.example.com' }, 'endpoint must be an https:// URL'],
    [{ ...BASE, endpoint: 42 }, 'endpoint must be a string'],
    [{ ...BASE, keep_copy: 'no' }, 'keep_copy must be true or false'],
    [{ ...BASE, enabled: 1 }, 'enabled must be true or false'],
    [{ ...BASE, secret: 'x' }, 'Unknown field: secret'],
  ])('refuses %o: %s', (body, message) => {
    expect(() => create(body)).toThrow(ValidationError);
    expect(() => create(body)).toThrow(message);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x']) expect(() => create(body)).toThrow('The request body must be a JSON object');
  });

  it('lets an update send any subset of the fields, and only known ones', () => {
    expect(parseDestinationBody(destinationUpdateSchema, {})).toEqual({});
    expect(parseDestinationBody(destinationUpdateSchema, { prefix: 'x', endpoint: null })).toEqual({ prefix: 'x', endpoint: null });
    expect(() => parseDestinationBody(destinationUpdateSchema, { bucket: 'A' })).toThrow(/^bucket must be/);
    expect(() => parseDestinationBody(destinationUpdateSchema, { id: 'sd-x' })).toThrow('Unknown field: id');
  });
});
