export { CartesiaTTS } from './cartesia-tts.js';
export { CARTESIA_DEFAULTS, type CartesiaTtsOptions } from './cartesia-options.js';
export { CARTESIA_OUTPUT_RATES } from './sample-rates.js';
