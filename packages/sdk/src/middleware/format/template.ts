import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { compileTemplate } from '../../route/template.js';

const utf8 = new TextEncoder();

/**
 * `template`: the Go template in `sdk.record.format.options`, rendered per record with the sdk's
 * template engine (the one routes use: Go's paths `.Payload.After.id`, `.Metadata`, `.Key`,
 * functions such as `printf` and sprig's). Throws `TemplateSyntaxError` on a bad template.
 */
export function templateFormatter(template: string): (r: OpenCDCRecord) => Uint8Array {
  const { render } = compileTemplate(template);
  return (r) => utf8.encode(render(r));
}
