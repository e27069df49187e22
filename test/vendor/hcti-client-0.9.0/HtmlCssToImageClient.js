import { CreateTemplatedImageRequest } from "./types/request.js";
import * as crypto from 'node:crypto';
export class HtmlCssToImageClient {
    apiId;
    apiKey;
    baseUrl = 'https://hcti.io';
    authHeader;
    fetch;
    constructor(apiId, apiKey, customFetch) {
        const fetchImpl = customFetch || (typeof fetch !== 'undefined' ? fetch : undefined);
        if (!fetchImpl) {
            throw new Error("The 'fetch' API is not available in this environment. " +
                "Please provide a fetch implementation (like node-fetch or undici) in the constructor.");
        }
        this.fetch = fetchImpl;
        this.apiId = apiId;
        this.apiKey = apiKey;
        const auth = Buffer.from(`${this.apiId}:${this.apiKey}`).toString('base64');
        this.authHeader = `Basic ${auth}`;
    }
    static fromEnv() {
        const id = process.env.HCTI_API_ID;
        const key = process.env.HCTI_API_KEY;
        if (!id || !key) {
            throw new Error("Missing environment variables HCTI_API_ID or HCTI_API_KEY");
        }
        return new HtmlCssToImageClient(id, key);
    }
    async createImage(request) {
        const internal_request = this.mapToInternal(request, false);
        const response = await this.fetch(`${this.baseUrl}/v1/image`, {
            method: 'POST',
            headers: {
                'Authorization': this.authHeader,
                'Content-Type': 'application/json',
            },
            body: JSON.stringify(internal_request),
        });
        return await this.responseToType(response);
    }
    async deleteImage(imageId) {
        const response = await this.fetch(`${this.baseUrl}/v1/image/${encodeURIComponent(imageId)}`, {
            method: 'DELETE',
            headers: {
                'Authorization': this.authHeader,
            },
        });
        return await this.responseToDeleteImageResponse(response);
    }
    async deleteImageBatch(imageIds) {
        const response = await this.fetch(`${this.baseUrl}/v1/image/batch`, {
            method: 'DELETE',
            headers: {
                'Authorization': this.authHeader,
                'Content-Type': 'application/json',
            },
            body: JSON.stringify({ ids: imageIds }),
        });
        return await this.responseToDeleteImageResponse(response);
    }
    mapToInternal(request, in_batch) {
        switch (request.__type) {
            case 'html_css':
                return this.mapHtmlCssToInternalRequest(request, in_batch);
            case 'url':
                return this.mapUrlToInternalRequest(request, in_batch);
            case 'templated':
                {
                    const { __type, ...templatedRequest } = request;
                    return templatedRequest;
                }
            default:
                throw new Error("Unsupported request type");
        }
    }
    async createImageBatch(variations, default_options) {
        if (variations.length === 0) {
            return Promise.resolve({ images: [] });
        }
        const internal_variations = variations.map(variation => this.mapToInternal(variation, true));
        let internal_default_option = default_options ? this.mapToInternal(default_options, true) : undefined;
        const batch_request = {
            variations: internal_variations,
            default_options: internal_default_option
        };
        const response = await this.fetch(`${this.baseUrl}/v1/image/batch`, {
            method: 'POST',
            headers: {
                'Authorization': this.authHeader,
                'Content-Type': 'application/json',
            },
            body: JSON.stringify(batch_request),
        });
        return await this.responseToType(response);
    }
    generateTemplatedImageUrl(templateIdOrRequest, templateValues, templateVersion, format) {
        let request;
        if (typeof templateIdOrRequest === 'string') {
            request = new CreateTemplatedImageRequest({
                template_id: templateIdOrRequest,
                template_values: templateValues || {},
                template_version: templateVersion,
                format
            });
        }
        else {
            request = templateIdOrRequest;
        }
        const params = new URLSearchParams();
        if (request.template_version) {
            params.append('template_version', request.template_version.toString());
        }
        const sortedKeys = Object.keys(request.template_values).sort();
        for (const key of sortedKeys) {
            const value = request.template_values[key];
            if (value !== null && value !== undefined) {
                if (typeof value === 'object') {
                    // Serialize objects and arrays to JSON
                    params.append(key, JSON.stringify(value));
                }
                else {
                    // Primitive values (string, number, boolean) are appended directly
                    params.append(key, value.toString());
                }
            }
        }
        const queryString = params.toString();
        const token = this.generateHmacToken(queryString);
        const formatPath = request.format ? `/${request.format}` : '';
        return `${this.baseUrl}/v1/image/${request.template_id}/${token}${formatPath}${queryString ? '?' : ''}${queryString}`;
    }
    generateCreateAndRenderUrl(request) {
        const params = new URLSearchParams();
        params.append('url', request.url);
        Object.entries(request)
            .filter(([key, _]) => key !== 'url' && key !== 'format' && key != 'pdf_options' && key !== 'dedupe_duration_s' && key !== '__type')
            .sort((a, b) => a[0].localeCompare(b[0]))
            .forEach(([key, value]) => {
            if (value !== undefined && value !== null && (value !== false || key === 'transparent_background')) {
                if (key === 'headers') {
                    Object.entries(value).forEach(([name, headerValue]) => {
                        params.append('headers', `${name}:${headerValue}`);
                    });
                    return;
                }
                if (key === 'additional_header_origins') {
                    value.forEach(origin => {
                        params.append('additional_header_origins', origin);
                    });
                    return;
                }
                params.append(key, value.toString());
            }
        });
        const queryString = params.toString();
        const token = this.generateHmacToken(queryString);
        const formatPath = request.format ? `/${request.format}` : '';
        return `${this.baseUrl}/v1/image/create-and-render/${this.apiId}/${token}${formatPath}?${queryString}`;
    }
    async responseToType(response) {
        let response_json;
        try {
            response_json = await response.json();
        }
        catch (e) {
            // Fallback for cases where the body is not JSON (e.g. 500 edge error)
            response_json = {
                error: 'Internal Server Error',
                message: `The server returned an unexpected response (Status: ${response.status}).`
            };
        }
        if (response.ok) {
            return { success: true, ...response_json };
        }
        else {
            return { success: false, ...response_json };
        }
    }
    async responseToDeleteImageResponse(response) {
        if (response.ok) {
            return { success: true };
        }
        return await this.responseToType(response);
    }
    mapHtmlCssToInternalRequest(request, in_batch) {
        const { pdf_options, google_fonts, __type, ...shared_request } = request;
        let new_request;
        if (in_batch) {
            new_request = { ...shared_request };
            if (new_request.html === '') {
                new_request.html = undefined;
            }
        }
        else {
            new_request = { ...shared_request };
        }
        new_request.pdf_options = this.mapPDFOptionsToInternal(pdf_options);
        if (google_fonts && google_fonts.length > 0) {
            const processed_fonts = google_fonts
                .map(font => font.trim().replace(/ /g, '+'))
                .filter(font => font.length > 0);
            const unique_fonts = [...new Set(processed_fonts)];
            new_request.google_fonts = unique_fonts.join('|');
        }
        return new_request;
    }
    mapUrlToInternalRequest(request, in_batch) {
        const { pdf_options, __type, ...shared_request } = request;
        let new_request;
        if (in_batch) {
            new_request = { ...shared_request };
            if (new_request.url === '') {
                new_request.url = undefined;
            }
        }
        else {
            new_request = { ...shared_request };
        }
        new_request.pdf_options = this.mapPDFOptionsToInternal(pdf_options);
        return new_request;
    }
    mapPDFOptionsToInternal(pdf_options) {
        if (pdf_options) {
            const { margins, page_height, page_width, ...shared_pdf_options } = pdf_options;
            const new_pdf_options = {
                ...shared_pdf_options
            };
            if (margins) {
                new_pdf_options.margins = [
                    this.pdfValueWithUnitsToString(margins.top),
                    this.pdfValueWithUnitsToString(margins.right),
                    this.pdfValueWithUnitsToString(margins.bottom),
                    this.pdfValueWithUnitsToString(margins.left)
                ];
            }
            if (page_height) {
                new_pdf_options.page_height = this.pdfValueWithUnitsToString(page_height);
            }
            if (page_width) {
                new_pdf_options.page_width = this.pdfValueWithUnitsToString(page_width);
            }
            return new_pdf_options;
        }
        return undefined;
    }
    pdfValueWithUnitsToString(item) {
        if (typeof item === "number") {
            return `${item}px`;
        }
        else {
            return `${item.value}${item.unit}`;
        }
    }
    generateHmacToken(queryString) {
        return crypto
            .createHmac('sha256', this.apiKey)
            .update(queryString)
            .digest('hex');
    }
}
