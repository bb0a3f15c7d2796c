/**
 * A small compiler for route templates: the Go `text/template` subset that Conduit users write,
 * plus mustache-style paths. Compiled once into closures; rendering never HTML-escapes.
 *
 * Supported (see the README's routing section for the full table):
 * - Go paths: `.Metadata.key`, `.Metadata["dotted.key"]`, `index .Metadata "dotted.key"`,
 *   `.Key.id`, `.Payload.After.region`, `.Payload.Before.x`, `.Operation`, `.Position`.
 * - Mustache paths (no leading dot, root case-insensitive): `{{metadata.opencdc.collection}}`,
 *   `{{payload.after.region}}`, `{{{key.id}}}`, `{{&operation}}`.
 * - Pipelines and calls, Go's way (a piped value is the last argument): Go's builtins (`eq`,
 *   `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`, `index`, `len`, `print`, `printf`) and
 *   sprig's (`lower`, `upper`, `trim`, `replace "old" "new"`, `trimPrefix "p"`, `contains`,
 *   `hasPrefix`, `default "value"`, ... see template/functions.ts), parentheses for nesting:
 *   `{{ .X | lower }}`, `{{ lower .X }}`, `{{ and (eq .Operation "create") (gt .Key.id 3) }}`.
 * - Whitespace trim markers `{{-` / `-}}`, comments `{{/* ... *\/}}` and `{{! ... }}`.
 */
// The compiler lives in template/: lex.ts (text and actions), parse.ts (an action's syntax),
// compile.ts (closures), functions.ts and values.ts (what calls do), condition.ts (Conduit's
// processor conditions), syntax.ts (the tree and TemplateSyntaxError). Importers use this file.
export {
  type CompiledTemplate,
  compileTemplate,
  type Render,
  TemplateExecError,
  type TemplateOptions,
} from './template/compile.js';
export { type Condition, compileCondition } from './template/condition.js';
export { TemplateSyntaxError } from './template/syntax.js';
export { marshalGoJSON } from './template/values.js';
