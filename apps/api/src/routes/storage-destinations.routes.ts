// /v1/storage-destinations: an account's S3-compatible buckets that images may be written to
// (hcti's storage destinations, managed here through the API instead of a dashboard). Saving
// runs the connection test; answers never hold the secret access key. Another account's
// destination is a 404.
import { z } from 'zod';
import { destinationCreateSchema, destinationUpdateSchema, storageDestinationView } from '@pixelfarm/destinations';
import type { DestinationService } from '../services/destination.service';
import type { Route } from '../http/route';
import { error, json, ok } from '../docs/route-docs';

export interface StorageDestinationsRoutesDeps {
  destinations: Pick<DestinationService, 'create' | 'list' | 'get' | 'update' | 'delete' | 'setEnabled'>;
}

const EXAMPLE_ID = 'sd-0f8e6a52-3c1d-4b7e-9a2f-5d6c7b8a9e0f';
const idParam = { id: { description: 'Storage destination id (sd-<uuid>)', example: EXAMPLE_ID } };
const TAG = 'Storage destinations';

const connectionTest = z
  .object({
    key: z.string().meta({ description: 'The test object written: <prefix>/.pixelfarm/connection-tests/<uuid>.txt' }),
    cleaned_up: z.boolean().meta({ description: 'Whether it was deleted afterwards (false: the credentials may not delete; the test still passed)' }),
  })
  .meta({ description: 'The connection test this save ran; absent when nothing that needs one changed' });
const saved = storageDestinationView.extend({ connection_test: connectionTest.optional() });
const listing = z.object({ data: z.array(storageDestinationView).meta({ description: 'Oldest first' }) });
const deleted = z.object({ id: z.string(), status: z.literal('deleted') });

const notFound = error('No such storage destination in this account');
const off = error('Storage destinations are off on this server (DESTINATIONS_KEY unset)');
const testFailed = error('Invalid settings, or the connection test failed: the message names what (credentials refused, bucket missing, endpoint unreachable, refused by the egress policy…)');

export function storageDestinationsRoutes(deps: StorageDestinationsRoutesDeps): Route[] {
  const account = (locals: Record<string, unknown>) => locals.account as string;
  const switchRoute = (enabled: boolean): Route => ({
    id: enabled ? 'enableStorageDestination' : 'disableStorageDestination',
    method: 'post',
    path: `/v1/storage-destinations/{id}/${enabled ? 'enable' : 'disable'}`,
    tag: TAG,
    summary: enabled ? 'Enable a storage destination' : 'Disable a storage destination: creates naming it get 400, writes to it stop',
    description: enabled ? undefined : 'Images already created with it keep their destination; their writes fail until it is enabled again.',
    access: 'basic',
    pathParams: idParam,
    responses: { 200: ok('The destination', 'StorageDestination', storageDestinationView), 403: off, 404: notFound },
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
      summary: 'Add a storage destination: an S3-compatible bucket of yours, tested before it is saved',
      description:
        'The connection test writes <prefix>/.pixelfarm/connection-tests/<uuid>.txt and deletes it (best-effort); a failed write is a 400 ' +
        'naming what failed, and nothing is saved. The secret access key is stored encrypted and never returned.',
      access: 'basic',
      body: {
        ...json('StorageDestinationBody', destinationCreateSchema),
        example: {
          name: 'Marketing renders',
          endpoint: 'https://s3.eu-central-003.backblazeb2.com',
          region: 'eu-central-003',
          bucket: 'my-rendered-images',
          prefix: 'renders',
          access_key_id: 'AKIAIOSFODNN7EXAMPLE',
          secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        },
      },
      responses: {
        201: ok('Saved; its id is the storage_destination_id of your creates', 'SavedStorageDestination', saved),
        400: testFailed,
        403: off,
        422: error('The account has DESTINATIONS_PER_ACCOUNT destinations already'),
      },
      handler: async (req, res) => {
        res.status(201).json(await deps.destinations.create(account(res.locals), req.body ?? {}));
      },
    },
    {
      id: 'listStorageDestinations',
      method: 'get',
      path: '/v1/storage-destinations',
      tag: TAG,
      summary: 'Your storage destinations',
      access: 'basic',
      responses: { 200: ok('Every destination of the account', 'StorageDestinationListing', listing), 403: off },
      handler: async (_req, res) => {
        res.status(200).json(await deps.destinations.list(account(res.locals)));
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
      responses: { 200: ok('The destination', 'StorageDestination', storageDestinationView), 403: off, 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.destinations.get(account(res.locals), String(req.params.id)));
      },
    },
    {
      id: 'updateStorageDestination',
      method: 'put',
      path: '/v1/storage-destinations/{id}',
      tag: TAG,
      summary: 'Change a storage destination; fields not sent keep their value (the secret too)',
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
      access: 'basic',
      pathParams: idParam,
      responses: { 200: ok('Deleted', 'StorageDestinationDeleted', deleted), 403: off, 404: notFound },
      handler: async (req, res) => {
        res.status(200).json(await deps.destinations.delete(account(res.locals), String(req.params.id)));
      },
    },
    switchRoute(true),
    switchRoute(false),
  ];
}
