/**
 * The ADD result, built in the version the runtime *requested*, merged with prevResult. Pure.
 *
 * Version differences we honour (spec "Result" sections of 0.4.0, 1.0.0, 1.1.0):
 * - 0.4.0: `ips[].version` ("4") is required; interfaces carry name/mac/sandbox only;
 *   routes carry dst/gw only.
 * - 1.0.0: no `ips[].version`; interfaces name/mac/sandbox; routes dst/gw.
 * - 1.1.0: adds `interfaces[].mtu` (and socketPath/pciID), routes' mtu/advmss/priority/table/scope.
 * A field the requested version does not define is dropped, also from prevResult, because a
 * strict parser on the runtime side may refuse it.
 *
 * Loom's pod attachment: interfaces = [host veth (no sandbox), pod interface (sandbox = netns)],
 * one /32 address with gateway 169.254.1.1 on the pod interface, one default route via that
 * gateway (the link route to the gateway and the permanent neighbour entry are Loom details the
 * result type does not need to describe).
 */
import type { CniVersion, DnsConf } from './netconf'
import { isObject } from './netconf'

export interface CniInterface {
  name: string, mac?: string, mtu?: number, sandbox?: string, socketPath?: string, pciID?: string
}
export interface CniIPConfig { address: string, gateway?: string, interface?: number, version?: string }
export interface CniRoute {
  dst: string, gw?: string, mtu?: number, advmss?: number, priority?: number, table?: number, scope?: number
}

export interface CniResult {
  cniVersion: string
  interfaces?: CniInterface[]
  ips?: CniIPConfig[]
  routes?: CniRoute[]
  dns?: DnsConf
}

/** What ADD made, in plain terms. */
export interface PodAttachmentResult {
  hostVeth: string
  hostMAC: string
  ifname: string
  podMAC: string
  mtu: number
  /** The CNI_NETNS path. */
  sandbox: string
  /** Pod address without prefix, e.g. '10.244.1.5'. */
  address: string
  gateway: string
  dns?: DnsConf
}

const INTERFACE_KEYS: Record<CniVersion, readonly string[]> = {
  '0.4.0': ['name', 'mac', 'sandbox'],
  '1.0.0': ['name', 'mac', 'sandbox'],
  '1.1.0': ['name', 'mac', 'mtu', 'sandbox', 'socketPath', 'pciID'],
}
const ROUTE_KEYS: Record<CniVersion, readonly string[]> = {
  '0.4.0': ['dst', 'gw'],
  '1.0.0': ['dst', 'gw'],
  '1.1.0': ['dst', 'gw', 'mtu', 'advmss', 'priority', 'table', 'scope'],
}

/**
 * The full ADD result: prevResult's interfaces, ips and routes first (indexes kept), ours
 * appended; dns from prevResult when it has any, else ours.
 */
export function buildAddResult (version: CniVersion, ours: PodAttachmentResult, prev?: Record<string,
  unknown>): CniResult {
  const prevInterfaces = arrayOf(prev?.interfaces).filter(isObject) as unknown as CniInterface[]
  const prevIPs = arrayOf(prev?.ips).filter(isObject) as unknown as CniIPConfig[]
  const prevRoutes = arrayOf(prev?.routes).filter(isObject) as unknown as CniRoute[]
  const base = prevInterfaces.length
  const interfaces: CniInterface[] = [
    ...prevInterfaces,
    { name: ours.hostVeth, mac: ours.hostMAC, mtu: ours.mtu },
    { name: ours.ifname, mac: ours.podMAC, mtu: ours.mtu, sandbox: ours.sandbox },
  ]
  const ips: CniIPConfig[] = [...prevIPs, { address: `${ours.address}/32`, gateway: ours.gateway, interface: base + 1 }]
  const routes: CniRoute[] = [...prevRoutes, { dst: '0.0.0.0/0', gw: ours.gateway }]
  const prevDns = isObject(prev?.dns) && Object.keys(prev.dns).length > 0 ? prev.dns as DnsConf : undefined
  return formatResult(version, { cniVersion: version, interfaces, ips, routes, dns: prevDns ?? ours.dns ?? {} })
}

/** Rewrites a result into the shape of `version` (drops fields it does not define, sets ips[].version for 0.4.0). */
export function formatResult (version: CniVersion, r: CniResult): CniResult {
  const out: CniResult = { cniVersion: version }
  if (r.interfaces !== undefined) {
    out.interfaces = r.interfaces.map((i) => pick(i,
      INTERFACE_KEYS[version]) as unknown as CniInterface)
  }
  if (r.ips !== undefined) {
    out.ips = r.ips.map((ip) => {
      const o: CniIPConfig = {} as CniIPConfig
      if (version === '0.4.0') o.version = ip.address.includes(':') ? '6' : '4'
      o.address = ip.address
      if (ip.gateway !== undefined) o.gateway = ip.gateway
      if (ip.interface !== undefined) o.interface = ip.interface
      return o
    })
  }
  if (r.routes !== undefined) out.routes = r.routes.map((rt) => pick(rt, ROUTE_KEYS[version]) as unknown as CniRoute)
  out.dns = r.dns ?? {}
  return out
}

/** The pod's address (no prefix) that prevResult records for interface `ifname` in `sandbox`, if any. */
export function addressFromPrevResult (prev: Record<string, unknown> | undefined, ifname: string): string | undefined {
  const interfaces = arrayOf(prev?.interfaces)
  const idx = interfaces.findIndex((i) => isObject(i) && i.name === ifname && typeof i.sandbox === 'string' &&
    i.sandbox !== '')
  if (idx < 0) return undefined
  for (const ip of arrayOf(prev?.ips)) {
    if (isObject(ip) && ip.interface === idx && typeof ip.address === 'string') return ip.address.split('/')[0]
  }
  return undefined
}

function arrayOf (v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

function pick (o: object, keys: readonly string[]): Record<string, unknown> {
  const src = o as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const k of keys) if (src[k] !== undefined && src[k] !== '') out[k] = src[k]
  return out
}
