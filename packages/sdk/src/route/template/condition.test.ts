import { createRecord, Metadata, updateRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateExecError } from './compile.js';
import { compileCondition } from './condition.js';
import { TemplateSyntaxError } from './syntax.js';

const enc = new TextEncoder();
const rec = updateRecord({
  position: enc.encode('p-1'),
  metadata: new Metadata([
    ['department', 'legal'],
    ['foo', 'bar'],
    ['opencdc.collection', 'users'],
  ]),
  key: { id: 7 },
  before: { amount: 50 },
  after: { amount: 150, name: 'Ada Lovelace', tags: ['a', 'b'], ok: true, empty: '' },
});

const render = (t: string) => compileTemplate(t).render(rec);

describe('Go template functions', () => {
  it.each([
    ['{{ eq .Metadata.foo "bar" }}', 'true'],
    ['{{ eq .Metadata.department "legal" | not }}', 'false'],
    ['{{ eq .Metadata.department "finance" | not }}', 'true'],
    ['{{ ne .Operation "create" }}', 'true'],
    ['{{ eq .Operation "create" "update" }}', 'true'],
    ['{{ gt .Payload.After.amount 100 }}', 'true'],
    ['{{ lt .Payload.Before.amount 100.5 }}', 'true'],
    ['{{ le .Key.id 7 }}', 'true'],
    ['{{ ge .Key.id 8 }}', 'false'],
    ['{{ and (eq .Operation "update") (gt .Payload.After.amount 100) }}', 'true'],
    ['{{ or (eq .Operation "delete") .Payload.After.empty }}', ''],
    ['{{ or .Payload.After.empty "fallback" }}', 'fallback'],
    ['{{ not .Payload.After.ok }}', 'false'],
    ['{{ index .Metadata "opencdc.collection" }}', 'users'],
    ['{{ index .Payload.After.tags 1 }}', 'b'],
    ['{{ len .Payload.After.tags }}', '2'],
    ['{{ len .Payload.After.name }}', '12'],
    ['{{ printf "%s-%d-%05.1f" .Metadata.foo .Key.id 3.14159 }}', 'bar-7-003.1'],
    ['{{ printf "%q" .Metadata.foo }}', '"bar"'],
    ['{{ print 1 2 "x" }}', '1 2x'],
    ['{{ contains "Love" .Payload.After.name }}', 'true'],
    ['{{ .Payload.After.name | hasPrefix "Ada" }}', 'true'],
    ['{{ hasSuffix "x" .Payload.After.name }}', 'false'],
    ['{{ .Payload.After.name | upper }}', 'ADA LOVELACE'],
    ['{{ .Payload.After.name | lower | replace " " "_" }}', 'ada_lovelace'],
    ['{{ .Payload.After.missing | default "d" }}', 'd'],
    ['{{ empty .Payload.After.empty }}', 'true'],
    ['{{ (index .Metadata "foo") | eq "bar" }}', 'true'],
    ['{{ add 1 2 3 }}', '6'],
    ['{{ true }}', 'true'],
    ['{{ eq .Position "p-1" }}', 'true'],
    ['{{ regexMatch "^A.a" .Payload.After.name }}', 'true'],
    ['{{ b64enc "hi" }}', 'aGk='],
    ['{{ toJson .Payload.After.tags }}', '["a","b"]'],
    ['{{ toJson .Key }}', '{"id":7}'],
    ['{{ toJson "<x>" }}', '"\\u003cx\\u003e"'],
    ['{{ index .Metadata (printf "opencdc.%s" "collection") }}', 'users'],
  ])('%s → %s', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it.each([
    ['{{ eq .Metadata.foo }}', 'eq needs 2 argument(s)'],
    ['{{ not 1 2 }}', 'not takes at most 1'],
    ['{{ (eq 1 1 }}', 'unclosed "("'],
    ['{{ eq index .Metadata "x" }}', 'wrap the call in parentheses'],
  ])('%s is a syntax error', (template, reason) => {
    expect(() => compileTemplate(template)).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate(template)).toThrow(reason);
  });

  it('a failing call is an execution error naming the function', () => {
    expect(() => render('{{ lt .Payload.After.name 3 }}')).toThrow(TemplateExecError);
    expect(() => render('{{ lt .Payload.After.name 3 }}')).toThrow(/lt at column 4/);
  });
});

describe('control structures (processor templates only)', () => {
  const program = (t: string) => compileTemplate(t, { controlStructures: true }).render(rec);
  it.each([
    ['{{ if eq .Operation "update" }}u{{ end }}', 'u'],
    ['{{ if eq .Operation "create" }}c{{ end }}', ''],
    ['{{ if .Payload.After.empty }}a{{ else }}b{{ end }}', 'b'],
    ['{{ if eq .Key.id 1 }}1{{ else if eq .Key.id 7 }}7{{ else }}?{{ end }}', '7'],
    ['x{{- if .Payload.After.ok }} {{ .Metadata.foo }} {{ end -}}y', 'x bar y'],
    ['{{ if gt .Payload.After.amount 100 }}{{ if .Payload.After.ok }}big{{ end }}{{ end }}', 'big'],
  ])('%s → %s', (t, want) => {
    expect(program(t)).toBe(want);
  });
  it.each([
    ['{{ if .Payload.After.ok }}a', '"if" without {{ end }}'],
    ['a{{ end }}', 'unexpected {{ end }}'],
    ['{{ if }}a{{ end }}', 'missing condition'],
    ['{{ if .Key.x }}a{{ else }}b', '"else" without {{ end }}'],
  ])('%s is a syntax error', (t, reason) => {
    expect(() => compileTemplate(t, { controlStructures: true })).toThrow(reason);
  });
  it('routes still refuse them', () => {
    expect(() => compileTemplate('{{ if .Metadata.foo }}a{{ end }}')).toThrow(/control structures/);
  });
});

describe('compileCondition', () => {
  it('parses the output as a Go boolean', () => {
    expect(compileCondition('{{ eq .Metadata.foo "bar" }}')(rec)).toBe(true);
    expect(compileCondition('{{ eq .Metadata.foo "baz" }}')(rec)).toBe(false);
    expect(compileCondition('T')(rec)).toBe(true);
    expect(compileCondition('0')(rec)).toBe(false);
    expect(
      compileCondition('{{ if eq .Metadata.foo "bar" }}true{{ else }}false{{ end }}')(rec),
    ).toBe(true);
    const other = createRecord({ position: enc.encode('x'), after: null });
    expect(compileCondition('{{ eq .Metadata.foo "bar" }}')(other)).toBe(false);
  });
  it('a non-boolean output is an error', () => {
    expect(() => compileCondition('{{ .Metadata.foo }}')(rec)).toThrow(
      /"bar", which is not a boolean/,
    );
  });
});
