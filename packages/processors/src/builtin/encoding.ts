/** `json.decode`, `json.encode`, `base64.decode`, `base64.encode`. */
import { marshalGoJSON, param } from '@opencdc-ts/sdk';
import { builtin, perRecord, REFERENCE_DOC, reference } from './define.js';

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

const jsonField = (what: string) =>
  param.string({
    required: true,
    regex: /^\.(Payload|Key).*/,
    exclusion: ['.Payload'],
    description: `The field to ${what}, under .Key or .Payload. ${REFERENCE_DOC}`,
  });

export const jsonDecode = builtin({
  name: 'json.decode',
  summary: 'Decodes a specific field from JSON raw data (string) to structured data.',
  description:
    'Parses a field holding JSON text (raw data or a string) into structured data: objects, lists, numbers, strings, booleans. Empty text becomes null; structured data and null are left as they are. Put it before processors that need structured data (field.*, split).',
  params: { field: jsonField('decode') },
  create(config) {
    const ref = reference('field', config.field);
    return perRecord((r) => {
      const v = ref.get(r);
      let text: string;
      if (v instanceof Uint8Array) text = utf8.decode(v);
      else if (typeof v === 'string') text = v;
      else if (v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v)))
        return r;
      else throw new Error(`unexpected data type ${typeof v}`);
      if (text === '') return ref.set(r, null);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new Error(`failed to unmarshal raw data as JSON: ${(e as Error).message}`);
      }
      if (
        ref.fields.length === 0 &&
        (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      )
        throw new Error(
          `can't set a ${Array.isArray(parsed) ? 'list' : typeof parsed} for ${ref.text}: it needs a JSON object`,
        );
      return ref.set(r, parsed);
    });
  },
});

export const jsonEncode = builtin({
  name: 'json.encode',
  summary: 'Encodes a specific field from structured data to JSON raw data (string).',
  description:
    'Replaces a field with its JSON text, as Go encodes it (object keys sorted). A whole .Key or .Payload.Before/After becomes raw data; a nested field becomes a string. A missing field is left alone.',
  params: { field: jsonField('encode') },
  create(config) {
    const ref = reference('field', config.field);
    return perRecord((r) => {
      const v = ref.get(r);
      if (v === null || v === undefined) return r;
      return ref.set(r, marshalGoJSON(v));
    });
  },
});

const base64Field = (what: string) =>
  param.string({
    required: true,
    exclusion: ['.Position'],
    description: `The field to ${what} (not .Position). ${REFERENCE_DOC}`,
  });

export const base64Decode = builtin({
  name: 'base64.decode',
  summary: 'Decode a field to base64.',
  description:
    'Decodes a field holding base64 text (standard alphabet, padded) and stores the decoded text. A whole .Key or .Payload.Before/After becomes raw data. A missing field is left alone; invalid base64 is an error for the record.',
  params: { field: base64Field('decode') },
  create(config) {
    const ref = reference('field', config.field);
    return perRecord((r) => {
      const v = ref.get(r);
      if (v === null || v === undefined) return r;
      let text: string;
      if (v instanceof Uint8Array) text = utf8.decode(v);
      else if (typeof v === 'string') text = v;
      else throw new Error(`unexpected data type ${typeof v}`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
        throw new Error('failed to decode the value: illegal base64 data');
      return ref.set(r, utf8.decode(Buffer.from(text, 'base64')));
    });
  },
});

export const base64Encode = builtin({
  name: 'base64.encode',
  summary: 'Encode a field to base64.',
  description:
    'Replaces a field with its base64 text (standard alphabet, padded). Strings and bytes are encoded as they are, numbers and booleans as their text. A whole .Key or .Payload.Before/After becomes raw data. A missing field is left alone.',
  params: { field: base64Field('encode') },
  create(config) {
    const ref = reference('field', config.field);
    return perRecord((r) => {
      const v = ref.get(r);
      if (v === null || v === undefined) return r;
      let bytes: Uint8Array;
      if (v instanceof Uint8Array) bytes = v;
      else if (typeof v === 'string') bytes = utf8Encoder.encode(v);
      else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
        bytes = utf8Encoder.encode(String(v));
      else throw new Error(`unexpected data type ${Array.isArray(v) ? 'list' : typeof v}`);
      return ref.set(r, Buffer.from(bytes).toString('base64'));
    });
  },
});
