/**
 * Conduit built-ins that need a schema registry (`avro.*`) or a hosted model (`openai.*`,
 * `cohere.*`, `ollama.request`): listed under their names (Conduit's registry:
 * pkg/plugin/processor/builtin/registry.go) so a Conduit pipeline file that uses one fails
 * at configure time with a clear error instead of "unknown plugin".
 */
import { ConfigError, type Processor } from '@opencdc-ts/sdk';
import { BUILTIN_VERSION } from './define.js';

const NEEDS: { [name: string]: string } = {
  'avro.decode': 'a schema registry',
  'avro.encode': 'a schema registry',
  'openai.embed': 'the OpenAI API',
  'openai.textgen': 'the OpenAI API',
  'cohere.command': 'the Cohere API',
  'cohere.embed': 'the Cohere API',
  'cohere.rerank': 'the Cohere API',
  'ollama.request': 'an Ollama server',
};

/** Accepts any settings (so the error is about the processor, not its parameters). */
const anySettings = {
  parameters: {},
  parse: (raw: { readonly [key: string]: string }) => raw,
};

function unavailable(name: string, needs: string): Processor {
  return {
    kind: 'processor',
    specification: {
      name,
      summary: `Conduit's ${name} processor: not available in opencdc-ts.`,
      description: `Conduit's ${name} needs ${needs}; opencdc-ts does not provide it. Use custom.javascript or a TypeScript processor instead.`,
      version: BUILTIN_VERSION,
      author: 'opencdc-ts',
      parameters: {},
    },
    config: anySettings,
    create() {
      throw new ConfigError({
        parameter: 'plugin',
        value: name,
        rule: `the built-in processor ${name} (it needs ${needs}) is not available in opencdc-ts`,
        fix: 'remove this processor, or replace it with custom.javascript or a TypeScript processor',
      });
    },
  };
}

export const unavailableProcessors: readonly Processor[] = Object.entries(NEEDS).map(
  ([name, needs]) => unavailable(name, needs),
);

/** The names of the built-ins above that refuse to start here (for listings: "not available"). */
export const unavailableProcessorNames: ReadonlySet<string> = new Set(Object.keys(NEEDS));
