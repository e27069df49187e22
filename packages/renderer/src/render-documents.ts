// Documents being rendered, served to the browser over plain HTTP by the egress proxy from a
// reserved origin. Navigating to a fresh URL for every job gives each job a new document and
// a new JavaScript realm (no globals, timers or DOM of the previous job), and a real origin
// whose storage can be wiped after the job.
import { randomUUID } from 'node:crypto';

export const RENDER_HOST = 'render.pixelfarm.internal';
export const RENDER_ORIGIN = `http://${RENDER_HOST}`;

export class RenderDocuments {
  private readonly docs = new Map<string, string>();

  /** Registers a document; returns its URL and a function that forgets it. */
  add(html: string): { url: string; remove(): void } {
    const token = randomUUID();
    this.docs.set(token, html);
    return { url: `${RENDER_ORIGIN}/${token}`, remove: () => this.docs.delete(token) };
  }

  /** The document for a request path ("/<token>"), if any. */
  get(path: string): string | undefined {
    return this.docs.get(path.replace(/^\//, '').split('?')[0]!);
  }
}
