// An aws_s3 destination as hcti models it: the customer's IAM role, assumed through STS by this
// server's writer identity with the account's external id, then S3 writes signed with the role's
// temporary credentials. AWS is moto on loopback, checking every signature and IAM policy once
// set up: the writer may only assume roles, the customer's role may write to its bucket, so an
// object lands only if the role was really assumed and used.
import request from 'supertest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createLogger, loadConfig } from '@pixelfarm/config';
import { createDestinationDirectory } from '@pixelfarm/destinations';
import { createApiApp, type ApiApp } from '../../apps/api/src/app';
import { basicAuth, testEnv, TEST_KEYS } from '../support/test-env';
import { motoUnavailable, startMotoServer, type MotoServer } from '../support/moto-server';

const unavailable = motoUnavailable();
if (unavailable) console.warn(`skipping the aws_s3 role tests: ${unavailable}`);
if (unavailable && /^(1|true)$/i.test(process.env.CI ?? '')) throw new Error(`CI is set and ${unavailable}`);

const ACCOUNT_ID = '123456789012';
const WRITER = `arn:aws:iam::${ACCOUNT_ID}:user/pixelfarm-writer`;
const ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/customer-renders`;
const NO_S3_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/customer-no-s3`;
const BUCKET = 'customer-role-bucket';

const policy = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)![1]!;

(unavailable ? describe.skip : describe)('aws_s3 destinations: the customer’s IAM role', () => {
  let moto: MotoServer;
  let api: ApiApp;
  let writerKeys: { accessKeyId: string; secretAccessKey: string };
  let env: Record<string, string>;

  beforeAll(async () => {
    moto = await startMotoServer();
    // The writer: may assume roles, nothing else.
    await moto.call('iam', { Action: 'CreateUser', UserName: 'pixelfarm-writer' });
    const keys = await moto.call('iam', { Action: 'CreateAccessKey', UserName: 'pixelfarm-writer' });
    writerKeys = { accessKeyId: tag(keys, 'AccessKeyId'), secretAccessKey: tag(keys, 'SecretAccessKey') };
    await moto.call('iam', { Action: 'PutUserPolicy', UserName: 'pixelfarm-writer', PolicyName: 'assume', PolicyDocument: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) });
    // The customer's roles, trusting the writer with the account's external id (hcti's trust policy).
    const trust = policy({ Effect: 'Allow', Principal: { AWS: WRITER }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': `pixelfarm:${TEST_KEYS.id}` } } });
    for (const [name, allowed] of [['customer-renders', true], ['customer-no-s3', false]] as const) {
      await moto.call('iam', { Action: 'CreateRole', RoleName: name, AssumeRolePolicyDocument: trust });
      const statement = allowed
        ? { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${BUCKET}/*` }
        : { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` };
      await moto.call('iam', { Action: 'PutRolePolicy', RoleName: name, PolicyName: 'bucket', PolicyDocument: policy(statement) });
    }
    const admin = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await admin.send(new (await import('@aws-sdk/client-s3')).CreateBucketCommand({ Bucket: BUCKET }));
    admin.destroy();
    await moto.enforce();

    env = testEnv({
          DESTINATIONS_KEY: Buffer.alloc(32, 9).toString('base64'),
          URL_ALLOWLIST: '127.0.0.1',
          DESTINATION_ATTEMPTS: '1',
          DESTINATIONS_AWS_WRITER_ROLE_ARN: `arn:aws:iam::${ACCOUNT_ID}:role/pixelfarm-writer`,
          DESTINATIONS_AWS_STS_ENDPOINT: moto.endpoint,
          DESTINATIONS_AWS_S3_ENDPOINT: moto.endpoint,
          DESTINATIONS_AWS_ACCESS_KEY_ID: writerKeys.accessKeyId,
          DESTINATIONS_AWS_SECRET_ACCESS_KEY: writerKeys.secretAccessKey,
    });
    api = createApiApp(loadConfig(env), createLogger('api', 'silent'));
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await moto?.stop();
  });

  const create = (roleArn: string, disabled = false) =>
    request(api.handler)
      .post('/v1/storage-destinations')
      .set('Authorization', basicAuth())
      .set('Content-Type', 'application/json')
      .send(
        `{"name":"AWS renders","disabled":${disabled},"hcti_storage_disabled":false,"connection_info":{"provider":"aws_s3","bucket":"${BUCKET}","key_prefix":"renders/","region":"us-east-1","role_arn":"${roleArn}"}}`,
      );

  it('assumes the role with the account’s external id and writes the connection test object with its credentials', async () => {
    await moto.record();
    const res = await create(ROLE);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      provider: 'Amazon S3',
      enabled: true,
      connection_info: { provider: 'aws_s3', bucket: BUCKET, key_prefix: 'renders', region: 'us-east-1', role_arn: ROLE, access_key_id: null },
      last_test_succeeded: true,
      connection_test: { key: expect.stringMatching(/^renders\/\.pixelfarm\/connection-tests\//), cleaned_up: true },
    });
    const calls = await moto.recorded();
    const assume = calls.filter((c) => c.body.includes('Action=AssumeRole'));
    expect(assume).toHaveLength(1);
    const params = new URLSearchParams(assume[0]!.body);
    expect({ role: params.get('RoleArn'), externalId: params.get('ExternalId') }).toEqual({ role: ROLE, externalId: `pixelfarm:${TEST_KEYS.id}` });
    const writes = calls.filter((c) => c.url.includes(`/${BUCKET}/renders/.pixelfarm/connection-tests/`));
    expect(writes.map((c) => c.method)).toEqual(['PUT', 'DELETE']);
  });

  it('refuses a role whose policy does not let it write, naming the bucket', async () => {
    const res = await create(NO_S3_ROLE);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`Connection test failed: the credentials were refused: access denied to bucket ${BUCKET} (AccessDenied)`);
    // Saved disabled, it keeps the failed result.
    const parked = await create(NO_S3_ROLE, true);
    expect(parked.body).toMatchObject({ enabled: false, last_test_succeeded: false, last_test_error: `the credentials were refused: access denied to bucket ${BUCKET} (AccessDenied)` });
  });

  it('the writers open it through the role too: an object put through the directory lands in the bucket', async () => {
    const id = (await create(ROLE)).body.id as string;
    const config = loadConfig({ ...env, REDIS_PREFIX: `${env.REDIS_PREFIX}-writer` });
    const directory = createDestinationDirectory(api.storage, config.destinations, config.egress.urlAllowlist);
    try {
      const target = await directory.open(TEST_KEYS.id, id);
      await target.put(target.key('0190f5d2.png'), Buffer.from('image bytes'), 'image/png');
    } finally {
      await directory.close();
    }
    await moto.relax();
    const reader = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const object = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'renders/0190f5d2.png' }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).toString()).toBe('image bytes');
    reader.destroy();
    await moto.enforce();
  });
});
