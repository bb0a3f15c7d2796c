/** `field.set`, `field.rename`, `field.exclude`, `field.convert`: Conduit's field processors. */
import { param } from '@opencdc-ts/sdk';
import { builtin, invalid, perRecord, REFERENCE_DOC, reference, template } from './define.js';
import { goTime, toGoString } from './values.js';

const STRUCTURED_ONLY = 'It works on structured data: decode raw JSON first with json.decode.';

export const fieldSet = builtin({
  name: 'field.set',
  summary: 'Set the value of a certain field.',
  description: `Sets a field to the output of a Go template rendered over the record (a constant is a template too). A missing field is created, with the objects on its path. .Position cannot be set. ${STRUCTURED_ONLY}`,
  params: {
    field: param.string({
      required: true,
      exclusion: ['.Position'],
      description: `The field to set (not .Position). ${REFERENCE_DOC}`,
    }),
    value: param.string({
      required: true,
      description:
        'A Go template rendered over the record; its output is stored in `field`, e.g. `{{ .Payload.After.name | upper }}`.',
    }),
  },
  create(config) {
    const ref = reference('field', config.field);
    const render = template('value', config.value);
    return perRecord((r) => ref.set(r, render(r)));
  },
});

const TOP_LEVEL = new Set([
  '.Metadata',
  '.Payload',
  '.Payload.Before',
  '.Payload.After',
  '.Position',
  '.Key',
  '.Operation',
]);

export const fieldRename = builtin({
  name: 'field.rename',
  summary: 'Rename a group of fields.',
  description: `Renames fields, given as reference:newName pairs. Top-level fields (.Operation, .Position, .Key, .Metadata, .Payload.Before, .Payload.After) cannot be renamed. ${STRUCTURED_ONLY}`,
  params: {
    mapping: param.list({
      required: true,
      description: `Comma-separated pairs of a field reference and its new name, separated by a colon, e.g. \`.Metadata.key:id,.Payload.After.foo:bar\`. ${REFERENCE_DOC}`,
    }),
  },
  create(config) {
    const shown = config.mapping.join(',');
    const renames = config.mapping.map((pair) => {
      const parts = pair.split(':');
      if (parts.length !== 2)
        invalid(
          'mapping',
          shown,
          `${JSON.stringify(pair)} is not reference:newName`,
          'write comma-separated pairs such as .Metadata.key:id,.Payload.After.foo:bar',
        );
      const key = parts[0]!.trim();
      const name = parts[1]!.trim();
      if (TOP_LEVEL.has(key))
        invalid(
          'mapping',
          shown,
          `cannot rename the top-level field ${key}`,
          'rename a field inside .Key, .Metadata or .Payload',
        );
      if (name === '')
        invalid(
          'mapping',
          shown,
          `cannot rename ${key} to an empty name`,
          'give each field a new name after the colon',
        );
      return { ref: reference('mapping', key), name };
    });
    return perRecord((record) => {
      let r = record;
      for (const { ref, name } of renames) r = ref.rename(r, name);
      return r;
    });
  },
});

export const fieldExclude = builtin({
  name: 'field.exclude',
  summary: 'Remove a subset of fields from the record.',
  description: `Removes the given fields (with everything nested under them) and leaves the others. .Position and .Operation cannot be excluded. ${STRUCTURED_ONLY}`,
  params: {
    fields: param.list({
      required: true,
      description: `Comma-separated field references to remove, e.g. \`.Metadata.internal,.Payload.After.password\`. ${REFERENCE_DOC}`,
    }),
  },
  create(config) {
    const refs = config.fields.map((f) => {
      if (f === '.Position' || f === '.Operation')
        invalid(
          'fields',
          config.fields.join(','),
          `it is not allowed to exclude ${f}`,
          'remove .Position and .Operation from the list',
        );
      return reference('fields', f);
    });
    return perRecord((record) => {
      let r = record;
      for (const ref of refs) r = ref.delete(r);
      return r;
    });
  },
});

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$/i;
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv conversions from text to the target type (Conduit's stringToType). */
function convert(text: string, type: string): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'int': {
      if (!INT.test(text))
        throw new Error(`strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
      const n = BigInt(text);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(n)
        : n;
    }
    case 'float':
      if (!FLOAT.test(text))
        throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
      return Number(text.replace(/inf(inity)?/i, 'Infinity'));
    case 'bool':
      if (TRUE.has(text)) return true;
      if (FALSE.has(text)) return false;
      throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
    default: // time
      return goTime(text);
  }
}

export const fieldConvert = builtin({
  name: 'field.convert',
  summary: 'Convert the type of a field.',
  description:
    "Converts a field under .Key or .Payload to string, int, float, bool or time (as Go's strconv does; a bool becomes 1/0 for int and float; time takes Unix nanoseconds or RFC 3339 and is stored as RFC 3339 text in UTC). The field must be in structured data.",
  params: {
    field: param.string({
      required: true,
      regex: /^\.(Payload|Key).*/,
      description: `The field to convert, under .Key or .Payload. ${REFERENCE_DOC}`,
    }),
    type: param.string({
      required: true,
      inclusion: ['string', 'int', 'float', 'bool', 'time'],
      description: 'The type to convert to: `string`, `int`, `float`, `bool` or `time`.',
    }),
  },
  create(config) {
    const ref = reference('field', config.field);
    const type = config.type;
    const numeric = type === 'int' || type === 'float';
    return perRecord((r) => ref.set(r, convert(toGoString(ref.get(r), numeric), type)));
  },
});
