export { BaseCreateImageRequest, CreateHtmlCssImageRequest, CreateTemplatedImageRequest, CreateUrlImageRequest, PDFOptions } from './types/request.js';
export { HtmlCssToImageClient } from './HtmlCssToImageClient.js';
