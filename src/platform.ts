// Node's built-in modules, reached without an import statement: a browser
// bundle then has no `node:` specifier to resolve or to warn about, and the
// code that needs them (file reads, gunzip, the dataset cache) says clearly
// that it runs in Node only.

export const isNode = typeof process === "object" && typeof process.versions?.node === "string";

/** The built-in module `id` ("node:fs", ...), or undefined outside Node. */
export function nodeBuiltin<T>(id: string): T | undefined {
  return isNode ? (process.getBuiltinModule?.(id) as T | undefined) : undefined;
}
