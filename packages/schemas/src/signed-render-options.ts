// The render options of a signed URL's query: the size, density and crop of the image served,
// as hcti's official clients put them after the create fields or template values (Python
// `_render_option_pairs`, Go `RenderImageOptions.appendQuery`). They are part of the signed
// query but not of the image rendered: they pick the variant served. A template value whose
// name is also an option's travels under its own name, and the option then under `__ro_<name>`.
import { ValidationError } from '@pixelfarm/errors';

/** The option names, with the short crop aliases (crop_w, crop_h) the clients still write on a collision. */
const OPTION_NAMES = ['dpi', 'height', 'width', 'aspect_ratio', 'x_origin', 'y_origin', 'x_1', 'x_2', 'y_1', 'y_2', 'crop_width', 'crop_height'] as const;
const ALIASES: Record<string, (typeof OPTION_NAMES)[number]> = { crop_w: 'crop_width', crop_h: 'crop_height' };

/** The prefix of an option whose name collides with a template value. */
export const RENDER_OPTION_PREFIX = '__ro_';

export interface SplitQuery<T> {
  /** The query's other fields: create fields or template values. */
  fields: Record<string, T>;
  /** The render options, by their GET /v1/image query names (aliases resolved). */
  options: Record<string, string>;
}

/**
 * Takes the render options out of a signed URL's query fields. `__ro_<name>` is always an
 * option. A plain `<name>` is a template value when `__ro_<name>` is also present, or when the
 * template reads a variable of that name (`isValue`): a client sends a template value `width`
 * under its own name when no width option goes with it. Otherwise it is the option. Two
 * spellings of one option must agree.
 */
export function splitRenderOptions<T>(query: Record<string, T>, isValue: (name: string) => boolean = () => false): SplitQuery<T> {
  const fields: Record<string, T> = { ...query };
  const options: Record<string, string> = {};
  const names = [...OPTION_NAMES, ...Object.keys(ALIASES)];
  const take = (key: string, name: string) => {
    const value = fields[key];
    if (typeof value !== 'string') throw new ValidationError(`${key} must be given once`);
    delete fields[key];
    const option = ALIASES[name] ?? name;
    if (options[option] !== undefined && options[option] !== value) {
      throw new ValidationError(`${key} and another spelling of ${option} differ`);
    }
    options[option] = value;
  };
  for (const name of names) {
    const prefixed = `${RENDER_OPTION_PREFIX}${name}`;
    if (Object.hasOwn(fields, prefixed)) take(prefixed, name);
    else if (Object.hasOwn(fields, name) && !isValue(name)) take(name, name);
  }
  const stray = Object.keys(fields).find((key) => key.startsWith(RENDER_OPTION_PREFIX));
  if (stray) throw new ValidationError(`${stray} is not a render option (width, height, dpi or a crop parameter)`);
  return { fields, options };
}
