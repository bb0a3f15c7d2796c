import { createRecord, Metadata, type OpenCDCRecord } from '@opencdc-ts/commons';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { compileRouter } from './router.js';
import { RouteError } from './types.js';

const enc = new TextEncoder();

function rec(over: Partial<OpenCDCRecord> = {}): OpenCDCRecord {
  return {
    ...createRecord({
      position: enc.encode('{"lsn":42}'),
      metadata: new Metadata([
        ['opencdc.collection', 'Users'],
        ['foo', 'Bar'],
        ['kafka.header.x-id', 'h1'],
      ]),
      key: { id: 7 },
      after: { region: ' EU-West ', nested: { deep: 'd' }, 'a.b': 'dotted', n: 3, big: 2n ** 60n },
    }),
    ...over,
  };
}

/** A name rule as connectors pass them (letters, digits, `.`, `_`, `-`). */
const kafkaTopicName = (name: string): string | undefined =>
  /^[a-zA-Z0-9._-]+$/.test(name) ? undefined : `${JSON.stringify(name)} may only contain letters`;

const route = (template: string | undefined, r = rec()) =>
  compileRouter({ parameter: 'table', template }).route(r);

describe('compileRouter: forms', () => {
  it.each([
    [undefined, 'Users'],
    ['', 'Users'],
    ['{{ index .Metadata "opencdc.collection" }}', 'Users'],
    ['{{ .Metadata["opencdc.collection"] }}', 'Users'],
    ["{{ .Metadata['opencdc.collection'] }}", 'Users'],
    ['{{ .Metadata.foo }}', 'Bar'],
    ['{{ .Metadata.opencdc.collection }}', 'Users'],
    ['{{ .Metadata.kafka.header.x-id }}', 'h1'],
    ['{{ .Payload.After.region }}', ' EU-West '],
    ['{{ .Payload.After.region | trim | lower }}', 'eu-west'],
    ['{{ .Payload.After.region | upper | trim }}', 'EU-WEST'],
    ['{{ .Payload.After.region | trim | replace "-" "_" | lower }}', 'eu_west'],
    ['{{ lower .Metadata.foo }}', 'bar'],
    ['{{ replace "a" "o" .Metadata.foo }}', 'Bor'],
    ['{{ .Payload.After.nested.deep }}', 'd'],
    ['{{ .Payload.After.a.b }}', 'dotted'],
    ['{{ index .Payload.After "a.b" }}', 'dotted'],
    ['{{ .Payload.After["a.b"] }}', 'dotted'],
    ['{{ .Payload.After.n }}', '3'],
    ['{{ .Payload.After.big }}', String(2n ** 60n)],
    ['{{ .Key.id }}', '7'],
    ['{{ index .Key "id" }}', '7'],
    ['{{ .Operation }}', 'create'],
    ['{{ .Position }}', '{"lsn":42}'],
    ['{{ .Payload.After.missing | default "fallback" }}', 'fallback'],
    ['{{ .Metadata.foo | trimPrefix "B" | trimSuffix "r" }}', 'a'],
    ['prefix.{{ .Metadata.foo }}_{{ .Operation }}.suffix', 'prefix.Bar_create.suffix'],
    ['{{metadata.opencdc.collection}}', 'Users'],
    ['{{Metadata.opencdc.collection}}', 'Users'],
    ['{{{metadata.opencdc.collection}}}', 'Users'],
    ['{{&payload.after.region}}', ' EU-West '],
    ['{{ payload.after.nested.deep }}', 'd'],
    ['{{key.id}}', '7'],
    ['{{operation}}', 'create'],
    ['{{ metadata.foo | lower }}', 'bar'],
    ['a  {{- .Metadata.foo -}}  b', 'aBarb'],
    ['{{/* a comment */}}{{ .Metadata.foo }}{{! mustache comment }}', 'Bar'],
    ['{{ `raw` }}-{{ "q\\"d" }}', 'raw-q"d'],
  ])('%s → %s', (template, expected) => {
    expect(route(template)).toBe(expected);
  });

  it('reads a quoted key that contains the closing delimiter', () => {
    const r = rec({ metadata: new Metadata([['}} x', 'closing']]) });
    expect(route('{{ index .Metadata "}} x" }}', r)).toBe('closing');
    expect(route('t_{{ .Metadata["}} x"] }}', r)).toBe('t_closing');
  });

  it('never HTML-escapes', () => {
    const r = rec({ metadata: new Metadata([['opencdc.collection', `a<b>&"c'`]]) });
    expect(route('{{ metadata.opencdc.collection }}', r)).toBe(`a<b>&"c'`);
    expect(route('{{ .Metadata["opencdc.collection"] }}', r)).toBe(`a<b>&"c'`);
  });

  it('renders raw payloads as UTF-8', () => {
    const r = rec({ key: enc.encode('k-1') });
    expect(route('{{ .Key }}', r)).toBe('k-1');
  });
});

describe('compileRouter: static routes', () => {
  it('does no per-record work', () => {
    const router = compileRouter({
      parameter: 'topic',
      template: 'orders',
      validateName: kafkaTopicName,
    });
    expect(router.staticRoute).toBe('orders');
    // A record without metadata or payload routes fine: the record is not read.
    expect(router.route({} as OpenCDCRecord)).toBe('orders');
  });
  it('dynamic routers have no staticRoute', () => {
    expect(compileRouter({ parameter: 't' }).staticRoute).toBeUndefined();
    expect(
      compileRouter({ parameter: 't', template: '{{ .Operation }}' }).staticRoute,
    ).toBeUndefined();
  });
  it('validates static names at compile time', () => {
    expect(() =>
      compileRouter({ parameter: 'topic', template: 'bad topic', validateName: kafkaTopicName }),
    ).toThrow(ConfigError);
    expect(() => compileRouter({ parameter: 'topic', template: 'x', allow: ['y'] })).toThrow(
      /allow-list/,
    );
  });
});

describe('compileRouter: errors', () => {
  it.each([
    ['{{ .Metadata.foo', 1, 'unclosed'],
    ['ab{{ }}', 6, 'empty action'],
    ['{{ .Nope }}', 5, 'unknown field'],
    ['{{ .Payload.Middle.x }}', 13, 'Payload.Before'],
    ['{{ .Metadata.foo | shout }}', 20, 'unknown function'],
    ['{{ if .Metadata.x }}a{{ end }}', 4, 'control structures'],
    ['{{ $x }}', 4, 'variables'],
    ['{{ index .Metadata }}', 4, 'at least one key'],
    ['{{ .Metadata }}', 4, 'needs a key'],
    ['{{ .Metadata.foo | replace "a" }}', 32, 'replace needs 2'],
    ['{{ .Metadata["x" }}', 18, 'expected "]"'],
    ['{{ "unterminated }}', 4, 'unterminated string'],
    ['{{ .Operation.x }}', 4, 'no fields'],
    ['{{ .Metadata.foo .Metadata.bar }}', 18, 'unexpected'],
    ['{{ #section }}', 4, 'unexpected'],
  ])('%s fails at column %i', (template, column, reason) => {
    let error: unknown;
    try {
      compileRouter({ parameter: 'table', template });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const ce = error as ConfigError;
    expect(ce.parameter).toBe('table');
    expect(ce.value).toBe(template);
    expect(ce.rule).toContain(reason);
    expect(ce.rule).toContain(`at column ${column}`);
  });

  it('an empty render names the record and the template', () => {
    const r = rec({ metadata: new Metadata() });
    expect(() => route(undefined, r)).toThrow(RouteError);
    expect(() => route(undefined, r)).toThrow(
      /position \{"lsn":42\} with key \{"id":7\}.*opencdc\.collection.*empty/,
    );
    expect(() => route('{{ .Payload.After.nope }}', r)).toThrow(/\{\{ \.Payload\.After\.nope \}\}/);
    const empty = rec({ metadata: new Metadata([['opencdc.collection', '']]) });
    expect(() => route(undefined, empty)).toThrow(RouteError);
  });

  it('validates and allow-lists rendered names, caching results', () => {
    let calls = 0;
    const router = compileRouter({
      parameter: 'topic',
      template: '{{ .Metadata.foo }}',
      validateName: (n) => {
        calls++;
        return kafkaTopicName(n);
      },
      allow: ['Bar', /^ok-\d+$/],
    });
    expect(router.route(rec())).toBe('Bar');
    expect(router.route(rec())).toBe('Bar');
    expect(calls).toBe(1);
    const with_ = (foo: string) => rec({ metadata: new Metadata([['foo', foo]]) });
    expect(router.route(with_('ok-12'))).toBe('ok-12');
    expect(() => router.route(with_('ok-12x'))).toThrow(/allow-list/);
    expect(() => router.route(with_('no way'))).toThrow(/may only contain/);
    expect(() => router.route(with_('no way'))).toThrow(RouteError);
  });
});
