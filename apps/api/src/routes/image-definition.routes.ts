// GET /v1/images/{id}: an image's definition (kind, time, every input), without rendering it.
import { z } from 'zod';
import type { ImageDefinitionService } from '../services/image-definition.service';
import type { Route } from '../http/route';
import { error, EXAMPLE_IMAGE_ID, ok } from '../docs/route-docs';

export interface ImageDefinitionRoutesDeps {
  definitions: Pick<ImageDefinitionService, 'read'>;
}

const definition = z.looseObject({
  id: z.string(),
  image_type: z.enum(['html_css', 'url', 'templated']),
  created_at: z.string(),
  template_id: z.string().nullable(),
  template_version: z.number().int().nullable(),
  template_values: z.record(z.string(), z.unknown()).nullable(),
});

export function imageDefinitionRoutes(deps: ImageDefinitionRoutesDeps): Route[] {
  return [
    {
      id: 'getImageDefinition',
      method: 'get',
      path: '/v1/images/{image_id}',
      tag: 'Images',
      summary: 'Read an image’s definition: its kind, when it was made and every input (null where not given)',
      access: 'basic',
      pathParams: { image_id: { description: 'Image id', example: EXAMPLE_IMAGE_ID } },
      responses: { 200: ok('The definition', 'ImageDefinition', definition), 404: error('No such image in this account') },
      handler: async (req, res) => {
        res.status(200).json(await deps.definitions.read(res.locals.account as string, String(req.params.image_id)));
      },
    },
  ];
}
