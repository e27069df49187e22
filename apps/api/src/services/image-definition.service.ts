// An image's definition as hcti's clients read it back (GET /v1/images/{id}): its kind, when it
// was made and every input, built from the stored request alone, so it needs neither a render
// nor Redis.
import { NotFoundError } from '@pixelfarm/errors';
import type { ImageRecord, ImageStore } from '@pixelfarm/storage';
import { DEFINITION_FIELDS, definitionOf, isImageId, type CreateImageRequest } from '@pixelfarm/schemas';

export type ImageType = 'html_css' | 'url' | 'templated';

export type ImageDefinition = Record<string, unknown> & {
  id: string;
  image_type: ImageType;
  created_at: string;
  updated_at: string;
};

export interface ImageDefinitionServiceDeps {
  images: Pick<ImageStore, 'getRecord'>;
}

export class ImageDefinitionService {
  constructor(private readonly deps: ImageDefinitionServiceDeps) {}

  /** The account's image, or 404 (another account's image is not found either). */
  async read(account: string, id: string): Promise<ImageDefinition> {
    const record = isImageId(id) ? await this.deps.images.getRecord<CreateImageRequest>(id) : null;
    if (!record || record.account !== account) throw new NotFoundError('Image not found');
    return definitionView(record);
  }
}

export function definitionView(record: ImageRecord<CreateImageRequest>): ImageDefinition {
  const image_type: ImageType = record.template ? 'templated' : record.request.url !== undefined ? 'url' : 'html_css';
  // A templated image's inputs are its template reference and values; its request is what they rendered.
  const inputs: Record<string, unknown> = record.template
    ? { ...(record.definition ?? {}), template_id: record.template.id, template_version: record.template.version }
    : { ...record.request };
  // format only chose the extension of the url the create answered with; hcti does not keep it.
  delete inputs.format;
  return {
    id: record.id,
    image_type,
    ...definitionOf(DEFINITION_FIELDS.image, inputs),
    created_at: record.created_at,
    updated_at: record.created_at,
    last_render_stored_at: null,
    saved_to_storage_destination_at: null,
    og_config_id: null,
    og_config_content_version: null,
    storage_destination_hcti_storage_disabled: record.destination ? !record.destination.keep_copy : false,
  };
}
