/**
 * Conduit's processor condition: a template rendered over the record whose output is parsed as a
 * Go boolean (`strconv.ParseBool`: 1, t, T, TRUE, true, True and their false forms). Anything
 * else is an error for that record, as in Conduit.
 */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { compileTemplate, TemplateExecError } from './compile.js';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export type Condition = (record: OpenCDCRecord) => boolean;

/** Compiles `template` once; throws `TemplateSyntaxError` for bad syntax. */
export function compileCondition(template: string): Condition {
  const { render } = compileTemplate(template, { controlStructures: true });
  return (record) => {
    const out = render(record);
    if (TRUE.has(out)) return true;
    if (FALSE.has(out)) return false;
    throw new TemplateExecError(
      `condition rendered ${JSON.stringify(out)}, which is not a boolean (want true or false)`,
    );
  };
}
