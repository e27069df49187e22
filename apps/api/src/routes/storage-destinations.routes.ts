// /v1/storage-destinations (hcti's management-api/storage-destinations): an account's buckets
// that images may be written to. Bodies and answers are hcti's (a nested connection_info naming
// its provider); the earlier flat bodies and PUT are still taken. Saving runs the connection test;
// answers never hold the secret access key. Another account's destination is a 404.
import { z } from 'zod';
import { destinationRequestSchema, destinationUpdateSchema, destinationView } from '@pixelfarm/destinations';
import type { DestinationService } from '../services/destination.service';
import { listPageQuery } from '../http/list-page';
import type { Route } from '../http/route';
import { error, json, ok } from '../docs/route-docs';

export interface StorageDestinationsRoutesDeps {
  destinations: Pick<DestinationService, 'create' | 'list' | 'get' | 'replace' | 'update' | 'delete' | 'setEnabled' | 'awsExternalId'>;
}

const EXAMPLE_ID = 'sd-0f8e6a52-3c1d-4b7e-9a2f-5d6c7b8a9e0f';
const idParam = { id: { description: 'Storage destination id (sd-<uuid>)', example: EXAMPLE_ID } };
const TAG = 'Storage destinations';

const connectionTest = z
  .object({
    key: z.string().meta({ description: 'The test object written: <prefix>/.pixelfarm/connection-tests/<uuid>.txt' }),
    cleaned_up: z.boolean().meta({ description: 'Whether it was deleted afterwards (false: the credentials may not delete; the test still passed)' }),
  })
  .meta({ description: 'The connection test this save ran, when it passed; absent when nothing needed one' });
const saved = destinationView.extend({ connection_test: connectionTest.optional() });
const listing = z.object({
  data: z.array(destinationView).meta({ description: 'Newest first, disabled ones too' }),
  pagination: z.object({ next_page_start: z.string().nullable().meta({ description: 'page_start of the next page; null after the last' }) }),
});
const externalId = z.object({
  external_id: z.string().meta({ description: "Your account's value for your role's sts:ExternalId condition" }),
  writer_role_arn: z.string().meta({ description: 'The principal (Principal.AWS) your role trusts' }),
});
const body = {
  ...json('StorageDestinationRequest', destinationRequestSchema),
  example: {
    name: 'Production images',
    disabled: false,
    hcti_storage_disabled: false,
    connection_info: {
      provider: 'other_s3_compatible',
      bucket: 'my-rendered-images',
      key_prefix: 'renders/',
      endpoint: 'https://s3.eu-central-003.backblazeb2.com',
      region: 'eu-central-003',
      access_key_id: 'AKIAIOSFODNN7EXAMPLE',
      secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    },
  },
};

const notFound = error('No such storage destination in this account');
const off = error('Storage destinations are off on this server (DESTINATIONS_KEY unset)');
const testFailed = error('Invalid settings, or the connection test of an enabled destination failed: the message names what (credentials refused, bucket missing, endpoint unreachable, refused by the egress policy…)');

export function storageDestinationsRoutes(deps: StorageDestinationsRoutesDeps): Route[] {
  const account = (locals: Record<string, unknown>) => locals.account as string;
  const switchRoute = (enabled: boolean): Route => ({
    id: enabled ? 'enableStorageDestination' : 'disableStorageDestination',
    method: 'post',
    path: `/v1/storage-destinations/{id}/${enabled ? 'enable' : 'disable'}`,
    tag: TAG,
    summary: enabled ? 'Enable a storage destination (its connection is tested again)' : 'Disable a storage destination: creates naming it get 400, writes to it stop',
    description: enabled ? undefined : 'Images already created with it keep their destination; their writes fail until it is enabled again.',
    access: 'basic',
    pathParams: idParam,
    responses: { 200: ok('The destination', 'SavedStorageDestination', saved), 400: testFailed, 403: off, 404: notFound },
    handler: async (req, res) => {
      res.status(200).json(await deps.destinations.setEnabled(account(res.locals), String(req.params.id), enabled));
    },
  });
  return [
    {
      id: 'createStorageDestination',
      method: 'post',
      path: '/v1/storage-destinations',
      tag: TAG,
      summary: 'Add a storage destination: a bucket of yours, tested before it is saved',
      description:
        'The connection test writes <prefix>/.pixelfarm/connection-tests/<uuid>.txt and deletes it (best-effort). When the write fails, an enabled ' +
        'destination is not saved (400 naming what failed); one sent with disabled: true is saved with last_test_succeeded false. The secret access ' +
        'key is stored encrypted and never returned. The flat body of earlier versions (endpoint, region, prefix, keep_copy…) is still taken.',
      access: 'basic',
      body,
      responses: {
        200: ok('Saved; its id is the storage_destination_id of your creates', 'SavedStorageDestination', saved),
        400: testFailed,
        403: off,
        422: error('The account has DESTINATIONS_PER_ACCOUNT destinations already'),
      },
      handler: async (req, res) => {
        res.status(200).json(await deps.destinations.create(account(res.locals), req.body ?? {}));
      },
    },
    {
      id: 'listStorageDestinations',
      method: 'get',
      path: '/v1/storage-destinations',
      tag: TAG,
      summary: 'Your storage destinations, newest first',
      access: 'basic',
      query: listPageQuery,
      responses: { 200: ok('One page of destinations', 'StorageDestinationListing', listing), 403: off },
      handler: async (req, res) => {
        res.status(200).json(await deps.destinations.list(account(res.locals), req.query as Record<string, unknown>));
      },
    },
    {
      id: 'getAwsExternalId',
      method: 'get',
      path: '/v1/storage-destinations/aws-external-id',
      tag: TAG,
      summary: 'The external id and writer role an aws_s3 destination’s IAM role trusts',
      access: 'basic',
      responses: { 200: ok('For your role’s trust policy', 'AwsExternalId', externalId), 403: error('Storage destinations, or AWS S3 destinations, are off on this server') },
      handler: async (_req, res) => {
        res.status(200).json(deps.destinations.awsExternalId(account(res.locals)));
      },
    },
    {
      id: 'getStorageDestination',
      method: 'get',
      path: '/v1/storage-destinations/{id}',
      tag: TAG,
      summary: 'One storage destination',
      access: 'basic',
      pathParams: idParam,
      responses: { 200: ok('The destination', 'StorageDestination', destinationView), 403: off, 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.destinations.get(account(res.locals), String(req.params.id)));
      },
    },
    {
      id: 'replaceStorageDestination',
      method: 'post',
      path: '/v1/storage-destinations/{id}',
      tag: TAG,
      summary: 'Replace a storage destination’s configuration (omitted settings reset)',
      description:
        'Send connection_info.secret_access_key, or retain_secret_access_key: true to keep the stored one (same provider and access_key_id). ' +
        'A changed connection, a new secret or enabling it again runs the connection test; a rename does not.',
      access: 'basic',
      pathParams: idParam,
      body,
      responses: { 200: ok('Saved', 'SavedStorageDestination', saved), 400: testFailed, 403: off, 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.destinations.replace(account(res.locals), String(req.params.id), req.body ?? {}));
      },
    },
    {
      id: 'updateStorageDestination',
      method: 'put',
      path: '/v1/storage-destinations/{id}',
      tag: TAG,
      summary: 'Change a storage destination in the flat shape; fields not sent keep their value (the secret too)',
      description:
        'A change of endpoint, region, addressing, bucket, prefix, access key id or secret runs the connection test again before it is saved. ' +
        'Images already created keep the destination; their later writes use the new settings.',
      access: 'basic',
      pathParams: idParam,
      body: { ...json('StorageDestinationUpdate', destinationUpdateSchema), example: { name: 'Renders (EU)', prefix: 'renders/eu' } },
      responses: { 200: ok('Saved', 'SavedStorageDestination', saved), 400: testFailed, 403: off, 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.destinations.update(account(res.locals), String(req.params.id), req.body ?? {}));
      },
    },
    {
      id: 'deleteStorageDestination',
      method: 'delete',
      path: '/v1/storage-destinations/{id}',
      tag: TAG,
      summary: 'Delete a storage destination: its settings and credentials; nothing in your bucket is touched',
      description: 'Deleting one that is already gone succeeds too.',
      access: 'basic',
      pathParams: idParam,
      responses: { 204: { description: 'Deleted' }, 403: off },
      handler: async (req, res) => {
        await deps.destinations.delete(account(res.locals), String(req.params.id));
        res.status(204).end();
      },
    },
    switchRoute(true),
    switchRoute(false),
  ];
}
