export { compileRouter } from './router.js';
export {
  type CompiledTemplate,
  compileTemplate,
  type Render,
  TemplateSyntaxError,
} from './template.js';
export { DEFAULT_ROUTE_TEMPLATE, RouteError, type Router, type RouterOptions } from './types.js';
