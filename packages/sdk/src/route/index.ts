export { compileRouter } from './router.js';
export {
  type CompiledTemplate,
  type Condition,
  compileCondition,
  compileTemplate,
  marshalGoJSON,
  type Render,
  TemplateExecError,
  type TemplateOptions,
  TemplateSyntaxError,
} from './template.js';
export { DEFAULT_ROUTE_TEMPLATE, RouteError, type Router, type RouterOptions } from './types.js';
