// Runs calls through the official client (@html-css-to-image/client 0.9.0, vendored unmodified)
// against the API under test: the client's base URL is https://hcti.io, so its fetch (the
// documented customFetch parameter) sends every request to API_BASE on loopback instead.
// Reads a JSON list of calls on stdin and prints their results as JSON:
//   { "call": "createImage", "type": "url" | "html_css" | "templated", "init": {…} }
//   { "call": "createImageBatch", "type": …, "variations": [{…}], "defaults": {…} }
//   { "call": "generateCreateAndRenderUrl", "init": {…} } / { "call": "generateTemplatedImageUrl", "init": {…} }
//   { "call": "deleteImage", "id": "…" } / { "call": "deleteImageBatch", "ids": ["…"] }
import {
  CreateHtmlCssImageRequest,
  CreateTemplatedImageRequest,
  CreateUrlImageRequest,
  HtmlCssToImageClient,
  PDFOptions,
} from '../vendor/hcti-client-0.9.0/index.js';

const base = process.env.API_BASE;
const onLoopback = (url) => String(url).replace('https://hcti.io', base);
const client = new HtmlCssToImageClient(process.env.API_ID, process.env.API_KEY, (url, init) => fetch(onLoopback(url), init));

function build(type, init) {
  const fields = { ...init };
  if (fields.pdf_options) fields.pdf_options = new PDFOptions(fields.pdf_options);
  if (type === 'url') return new CreateUrlImageRequest(fields);
  if (type === 'templated') return new CreateTemplatedImageRequest(fields);
  return new CreateHtmlCssImageRequest(fields);
}

const calls = JSON.parse(await new Response(process.stdin).text());
const results = [];
for (const c of calls) {
  if (c.call === 'createImage') results.push(await client.createImage(build(c.type, c.init)));
  else if (c.call === 'createImageBatch') {
    results.push(await client.createImageBatch(c.variations.map((v) => build(c.type, v)), c.defaults && build(c.type, c.defaults)));
  } else if (c.call === 'generateCreateAndRenderUrl') results.push(onLoopback(client.generateCreateAndRenderUrl(build('url', c.init))));
  else if (c.call === 'generateTemplatedImageUrl') results.push(onLoopback(client.generateTemplatedImageUrl(build('templated', c.init))));
  else if (c.call === 'deleteImage') results.push(await client.deleteImage(c.id));
  else if (c.call === 'deleteImageBatch') results.push(await client.deleteImageBatch(c.ids));
  else throw new Error(`unknown call ${c.call}`);
}
process.stdout.write(JSON.stringify(results));
