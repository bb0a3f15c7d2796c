import type { Processor } from '@opencdc-ts/sdk';

declare const processor: Processor;
export default processor;
