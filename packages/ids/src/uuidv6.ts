import type { UuidV6 } from './brand.js';
import { createUuidV6Generator } from './createUuidV6Generator.js';

/**
 * Generates a UUIDv6 (RFC 9562 s5.6) for the current time. Strictly increasing within the process, also
 * for bursts within one 100-ns tick and when the system clock steps back; 61 random bits per id keep
 * processes and machines apart.
 *
 * @example
 * const id = uuidv6(); // '1f0c9a4e-8b2d-6a10-b3c8-9f6bdeced847'
 * id < uuidv6(); // true
 */
export const uuidv6: () => UuidV6 = /* @__PURE__ */ createUuidV6Generator();
