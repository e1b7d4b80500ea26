/** Char codes of the lowercase hex digits, for building flat strings with `String.fromCharCode`. */
export const HEX_CODE = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/**
 * Value of each hex digit by char code (upper and lower case), 255 for anything else; 256 entries so that
 * any `charCodeAt` result below 256 indexes it and `?? 255` covers the rest.
 */
export const HEX_VALUE: Uint8Array = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256).fill(255);
  for (let i = 0; i < 16; i++) {
    table['0123456789abcdef'.charCodeAt(i)] = i;
    table['0123456789ABCDEF'.charCodeAt(i)] = i;
  }
  return table;
})();
