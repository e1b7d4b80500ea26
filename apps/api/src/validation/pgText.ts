import { z } from 'zod';

/**
 * Text PostgreSQL stores exactly as sent: no U+0000 (neither `text` nor `jsonb` can hold it) and no unpaired
 * UTF-16 surrogate (`jsonb` refuses its `\uDC00` escape; `text` would silently get U+FFFD instead). With the
 * `u` flag a surrogate pair is one code point above U+FFFF, so only unpaired halves fall in the excluded range.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is exactly what this pattern must refuse.
export const PG_TEXT_PATTERN = /^[^\u0000\uD800-\uDFFF]*$/u;

export const PG_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** Whether PostgreSQL can store the string unchanged (see `PG_TEXT_PATTERN`). */
export function isPgText(value: string): boolean {
  return PG_TEXT_PATTERN.test(value);
}

/**
 * A string schema for anything that reaches PostgreSQL; chain `.min`/`.max` as usual. The pattern also appears
 * in the OpenAPI document.
 *
 * @example
 * const body = z.strictObject({ bio: pgText().max(2000) });
 */
export function pgText() {
  return z.string().regex(PG_TEXT_PATTERN, PG_TEXT_MESSAGE);
}
