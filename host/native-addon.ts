/**
 * Finding and loading Loom's compiled N-API addons (`npm run build:native` puts them under
 * `<repo>/host/native/build/Release/` and `<repo>/dataplane/native/build/Release/`).
 *
 * An addon is found by walking up from this file's directory to the one holding package.json,
 * so the same code works from dist/host/ (compiled) and from host/ (ts-node style). Addons are
 * loaded lazily, on first use, so pure modules and unit tests can import their wrappers on a
 * machine where they were never built.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** A compiled addon could not be loaded (not built, or built for another Node ABI). */
export class NativeBindingLoadError extends Error {
  static readonly code = 'ERR_NATIVE_BINDING_LOAD'
  readonly code = NativeBindingLoadError.code
  override readonly name = 'NativeBindingLoadError'

  constructor (readonly path: string, cause?: unknown) {
    super(`failed to load the native binding ${path} (build it with \`npm run build:native\`)`, { cause })
  }
}

/** Where the addon at `relative` (from the repository root) is: under the nearest ancestor holding package.json. */
export function addonPath (relative: string): string {
  let dir = __dirname
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, relative)
    const parent = dirname(dir)
    if (parent === dir) return join(__dirname, '..', relative)
    dir = parent
  }
}

const loaded = new Map<string, unknown>()

/** Loads the addon at `relative` once; throws NativeBindingLoadError (ERR_NATIVE_BINDING_LOAD) if absent. */
export function loadAddon<T> (relative: string): T {
  const path = addonPath(relative)
  if (loaded.has(path)) return loaded.get(path) as T
  let addon: T
  try {
    addon = require(path) as T
  } catch (err) {
    throw new NativeBindingLoadError(path, err)
  }
  loaded.set(path, addon)
  return addon
}
