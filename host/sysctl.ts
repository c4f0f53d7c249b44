/**
 * Kernel parameters under /proc/sys (sysctl(8) without the binary). A key is given as its path
 * components, e.g. ['net', 'ipv4', 'conf', 'lxc0123456789a', 'proxy_arp'], never as a dotted
 * string: interface names may contain dots (eth0.100), which sysctl's dotted form cannot say.
 * Each component is checked so a hostile interface name cannot walk out of /proc/sys.
 */
import { writeFileSync } from 'node:fs'

/** The /proc/sys path of `key`; a component that is empty, `.`, `..` or holds `/` or NUL is a TypeError. */
export function sysctlPath (key: readonly string[]): string {
  if (key.length === 0) throw new TypeError('a sysctl key needs at least one component')
  for (const part of key) {
    if (part === '' || part === '.' || part === '..' || part.includes('/') || part.includes('\0')) {
      throw new TypeError(`sysctl key component ${JSON.stringify(part)} is not a single path component`)
    }
  }
  return `/proc/sys/${key.join('/')}`
}

/** Writes `value` to the sysctl `key` (synchronously: start-up paths). */
export function setSysctl (key: readonly string[], value: string): void {
  writeFileSync(sysctlPath(key), value)
}
