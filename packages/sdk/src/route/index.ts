export { kafkaTopicName, postgresIdentifier, splitPostgresName } from './names.js';
export { compileRouter } from './router.js';
export {
  type CompiledTemplate,
  compileTemplate,
  type Render,
  TemplateSyntaxError,
} from './template.js';
