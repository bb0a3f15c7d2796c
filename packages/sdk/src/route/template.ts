/**
 * A small compiler for route templates: the Go `text/template` subset that Conduit users write,
 * plus mustache-style paths. Compiled once into closures; rendering never HTML-escapes.
 *
 * Supported (see the README's routing section for the full table):
 * - Go paths: `.Metadata.key`, `.Metadata["dotted.key"]`, `index .Metadata "dotted.key"`,
 *   `.Key.id`, `.Payload.After.region`, `.Payload.Before.x`, `.Operation`, `.Position`.
 * - Mustache paths (no leading dot, root case-insensitive): `{{metadata.opencdc.collection}}`,
 *   `{{payload.after.region}}`, `{{{key.id}}}`, `{{&operation}}`.
 * - Pipes and calls: `lower`, `upper`, `trim`, `replace "old" "new"`, `trimPrefix "p"`,
 *   `trimSuffix "s"`, `default "value"`; as `{{ .X | lower }}` or `{{ lower .X }}`.
 * - Whitespace trim markers `{{-` / `-}}`, comments `{{/* ... *\/}}` and `{{! ... }}`.
 */
// The compiler lives in template/: lex.ts (text and actions), parse.ts (an action's syntax),
// compile.ts (closures), syntax.ts (the tree and TemplateSyntaxError). Importers use this file.
export { type CompiledTemplate, compileTemplate, type Render } from './template/compile.js';
export { TemplateSyntaxError } from './template/syntax.js';
