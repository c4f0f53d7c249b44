/** Loom's version, read once from package.json (the single source of truth). */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

function findPackageJson (from: string): string {
  let dir = from
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json')
    try {
      return readFileSync(candidate, 'utf8')
    } catch {
      dir = dirname(dir)
    }
  }
  return '{"version":"0.0.0-unknown"}'
}

export const VERSION: string = (JSON.parse(findPackageJson(__dirname)) as { version: string }).version
