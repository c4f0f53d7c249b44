/**
 * NetlinkClient: the rtnetlink helpers of the agent and the CNI plugin (links, addresses,
 * routes, neighbours). What only tests need (creating a kernel VXLAN peer, its FDB, flushing
 * addresses) is test/lib/netlink-test-client.ts, a subclass.
 *
 * Control path only. Every method is an async request/ack round trip to the kernel; nothing
 * here is meant to run per packet. The data plane's hot path never calls into this file.
 *
 * Design notes:
 * - Built on the `netlink` package's typed rtnetlink socket (createRtNetlink): getLink,
 *   setLink, newAddress, newRoute, newNeighbor, ... The package takes IFLA_LINKINFO as raw
 *   bytes, so veth creation builds that payload with ./netlink-attrs.ts.
 * - Netlink acts on the calling process's network namespace. loomd is started inside its
 *   node's namespace, so no setns happens here; one client = one socket = one namespace.
 * - Names, not indexes, at the API: each call resolves the name with RTM_GETLINK (IFLA_IFNAME)
 *   so a link that was recreated meanwhile is never addressed through a stale index. A caller
 *   that has just made the link (createVeth's echo, linkInfo) may pass it as a KnownLink and
 *   skip that round trip; pod wiring does, under its attachment's lock, so nothing recreates
 *   the link in between.
 * - Requests may be issued without awaiting each other: one socket sends them in order and the
 *   kernel runs each inside its sendmsg, so a later request sees an earlier one's effect. Pod
 *   wiring sends a side's whole configuration at once and waits for the acks once.
 * - Idempotent where the agent needs it to be (restarts re-apply the same state):
 *   addAddress tolerates EEXIST, replaceRoute/replaceNeighbour use
 *   NLM_F_CREATE|NLM_F_REPLACE, deleteRoute/deleteLink tolerate "already gone".
 *   createVeth does not: an existing link fails with EEXIST, because silently
 *   keeping a link with other parameters would be worse (delete, then create, to recreate).
 * - IPv4 only for addresses and routes: the overlay is IPv4 today.
 * - Failures are NetlinkError (or a subclass) whose message names the operation and the
 *   object: "failed to add route 10.244.0.0/16 dev loom0: ENODEV". See ./netlink-errors.ts.
 */

import { createRtNetlink, FlagsNew, type RtNetlinkSocket, type rt, type ifla } from 'netlink'
import { formatIPv4Address, tryParseCIDR, tryParseIPv4Address } from '../lib'
import { encodeInetProxyArp, encodeVethLinkInfo } from './netlink-attrs'
import {
  AddressNotFoundError, LinkNotFoundError, NetlinkArgumentError, NetlinkError, errnoNumber,
} from './netlink-errors'

export const AF_INET = 2
/** RT_TABLE_MAIN */
const RT_TABLE_MAIN = 254
/** RTNH_F_ONLINK, carried in rtm_flags: the gateway is on the link even without a covering subnet. */
const RTNH_F_ONLINK = 4
/** IFNAMSIZ - 1 */
const IFNAME_MAX = 15
const DEFAULT_TIMEOUT_MS = 5000
/** NLM_F_ECHO: the kernel also sends the requester the notification of what it made. */
const NLM_F_ECHO = 8

const ENODEV = errnoNumber('ENODEV')
const EEXIST = errnoNumber('EEXIST')
const ESRCH = errnoNumber('ESRCH')

export interface NetlinkClientInit {
  /** Per-request timeout in milliseconds (default 5000). A timed-out request rejects with NetlinkError (errno 0). */
  timeoutMs?: number
}

export interface RouteSpec {
  /** Destination IPv4 CIDR with no host bits set, e.g. '10.244.0.0/16' ('0.0.0.0/0' for default). */
  dst: string
  /** Output link name. */
  dev: string
  /** Preferred source address (RTA_PREFSRC). */
  src?: string
  /** Gateway (RTA_GATEWAY). */
  via?: string
  /** Gateway is on-link even if no address covers it (Flannel's `via <gw> dev flannel.1 onlink`). */
  onlink?: boolean
  /** Route scope; default 'link' without `via`, 'global' with it (as `ip route` does). */
  scope?: 'link' | 'global'
}

/** One IPv4 unicast route of the main table. */
export interface RouteEntry {
  dst: string
  dev: string
  via?: string
  src?: string
}

export interface NeighbourSpec {
  dev: string
  /** IPv4 address of the neighbour. */
  ip: string
  /** 'aa:bb:cc:dd:ee:ff' */
  mac: string
  /** Only permanent entries are supported (NUD_PERMANENT), as Flannel installs them. */
  permanent?: true
}

type RequestOptions = { flags?: number, timeout?: number }

/** A link the caller has just made or looked up: requests on it need not resolve its name again. */
export interface KnownLink {
  name: string
  index: number
}

/** A KnownLink with its hardware address. */
export interface LinkWithMAC extends KnownLink {
  mac: Buffer
}

export class NetlinkClient {
  /**
   * Seconds the caller's thread spent inside this client's request calls before they returned a
   * promise: the kernel runs a request inside sendmsg, so this is kernel work (and rtnl lock
   * waits) done on the event loop.
   */
  syncSeconds = 0
  private socket: RtNetlinkSocket | null
  private readonly timeoutMs: number

  protected constructor (socket: RtNetlinkSocket, timeoutMs: number) {
    this.socket = socket
    this.timeoutMs = timeoutMs
  }

  /**
   * Opens one NETLINK_ROUTE socket in the caller's network namespace. The socket does not
   * keep the event loop alive while no request is pending.
   */
  static open (init: NetlinkClientInit = {}): NetlinkClient {
    try {
      return new NetlinkClient(createRtNetlink(), init.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    } catch (err) {
      throw wrap('open rtnetlink socket', err)
    }
  }

  /**
   * Closes the socket. Idempotent; later calls fail with NetlinkError at once. Requests still
   * pending get no answer and reject with a NetlinkError when their timeout expires.
   */
  close (): void {
    const s = this.socket
    this.socket = null
    s?.socket.close()
  }

  // ---- links ----

  async linkExists (name: string): Promise<boolean> {
    try {
      await this.getLink(`find link ${name}`, name)
      return true
    } catch (err) {
      if (err instanceof LinkNotFoundError) return false
      throw err
    }
  }

  async setLinkUp (name: string, known?: KnownLink): Promise<void> {
    const op = `set link ${name} up`
    const index = await this.resolve(op, name, known)
    await this.call(op, (s, o) => s.setLink({ index, change: { up: true }, flags: { up: true } }, {}, o), name)
  }

  async setLinkMtu (name: string, mtu: number): Promise<void> {
    const op = `set MTU ${mtu} on link ${name}`
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 0xffffffff) {
      throw new NetlinkArgumentError(op,
      `MTU ${mtu} is not an integer >= 68`)
    }
    const index = await this.resolve(op, name)
    await this.call(op, (s, o) => s.setLink({ index }, { mtu }, o), name)
  }

  /** Sets the link's transmit queue length (packets the kernel queues for a TUN reader). */
  async setLinkTxQueueLen (name: string, packets: number): Promise<void> {
    const op = `set txqueuelen ${packets} on link ${name}`
    if (!Number.isInteger(packets) || packets < 1 || packets > 0xffffffff) {
      throw new NetlinkArgumentError(op,
      `queue length ${packets} is not a positive integer`)
    }
    const index = await this.resolve(op, name)
    await this.call(op, (s, o) => s.setLink({ index }, { txqlen: packets }, o), name)
  }

  /** The link's index and hardware address, in one RTM_GETLINK. */
  async linkInfo (name: string): Promise<LinkWithMAC> {
    const op = `read MAC of link ${name}`
    return linkInfoOf(op, name, await this.getLink(op, name))
  }

  /**
   * Sets the link's IPv4 proxy_arp through RTM_SETLINK (IFLA_AF_SPEC, AF_INET), the same
   * setting as /proc/sys/net/ipv4/conf/<link>/proxy_arp, without a file write.
   */
  async setProxyArp (name: string, on: boolean, known?: KnownLink): Promise<void> {
    const op = `set proxy_arp ${on ? 1 : 0} on link ${name}`
    const index = await this.resolve(op, name, known)
    const afSpec = new Map([[AF_INET, encodeInetProxyArp(on)]])
    await this.call(op, (s, o) => s.setLink({ index }, { afSpec }, o), name)
  }

  /** Names of every link in this namespace, in index order; with `notInGroup`, but for that interface group's. */
  async listLinkNames (opts: { notInGroup?: number } = {}): Promise<string[]> {
    const links = await this.call('list links', (s, o) => s.getLinks({}, {}, o))
    return links.filter((l) => opts.notInGroup === undefined || l.attrs.group !== opts.notInGroup)
      .map(l => l.attrs.ifname ?? '').filter(n => n !== '')
  }

  /** True when the link is administratively up (IFF_UP). */
  async linkIsUp (name: string): Promise<boolean> {
    const link = await this.getLink(`read flags of link ${name}`, name)
    return link.data.flags?.up === true
  }

  /**
   * Creates a veth pair, both ends down, or with `opts.up` the first end up (the kernel cannot
   * bring the peer up while it creates the pair). Fails with EEXIST if either name exists (the
   * peer's in its namespace). `opts.mtu` sets both ends' MTU; `opts.peerNetnsFd`
   * creates the peer directly in the namespace open at that fd (the caller owns the fd).
   * Returns the new host-side link (index and MAC) from the kernel's echo of the request, or
   * undefined from a kernel that does not echo RTM_NEWLINK (before Linux 6.1).
   */
  async createVeth (name: string, peerName: string,
    opts: { mtu?: number, peerNetnsFd?: number, up?: boolean } = {}): Promise<LinkWithMAC | undefined> {
    const op = `create veth pair ${name}/${peerName}`
    checkIfname(op, name)
    checkIfname(op, peerName)
    if (opts.peerNetnsFd !== undefined && (!Number.isInteger(opts.peerNetnsFd) || opts.peerNetnsFd < 0)) {
      throw new NetlinkArgumentError(op, `fd ${opts.peerNetnsFd} is not a file descriptor`)
    }
    if (opts.mtu !== undefined && (!Number.isInteger(opts.mtu) || opts.mtu < 68 || opts.mtu > 65535)) {
      throw new NetlinkArgumentError(op, `MTU ${opts.mtu} is outside 68..65535`)
    }
    const up = opts.up === true
    const linkinfo = encodeVethLinkInfo(peerName, {
      ...(opts.mtu !== undefined ? { mtu: opts.mtu } : {}),
      ...(opts.peerNetnsFd !== undefined ? { netnsFd: opts.peerNetnsFd } : {}),
    })
    const attrs = { ifname: name, linkinfo, ...(opts.mtu !== undefined ? { mtu: opts.mtu } : {}) }
    const data: rt.Link = up ? { flags: { up: true }, change: { up: true } } : {}
    const echoed = await this.call(op, (s, o) => s.newLink(data, attrs, o), undefined,
      FlagsNew.CREATE | FlagsNew.EXCL | NLM_F_ECHO)
    const made = echoed.find((m) => m.attrs.ifname === name)
    return made === undefined ? undefined : linkInfoOf(op, name, made)
  }

  /** Deletes a link (a veth takes its peer with it). A missing link is fine. */
  async deleteLink (name: string): Promise<void> {
    const op = `delete link ${name}`
    let index: number
    try {
      index = await this.resolve(op, name)
    } catch (err) {
      if (err instanceof LinkNotFoundError) return
      throw err
    }
    await this.call(op, (s, o) => s.delLink({ index }, {}, o), undefined, 0, [ENODEV])
  }

  // ---- addresses ----

  /** Adds an IPv4 address ('10.244.1.1/24'). Already present (same address and prefix) is fine. */
  async addAddress (name: string, cidr: string, known?: KnownLink): Promise<void> {
    const op = `add address ${cidr} to link ${name}`
    const { addr, prefix } = parseCidr(op, cidr, false)
    const index = await this.resolve(op, name, known)
    await this.call(op,
      (s, o) => s.newAddress({ family: AF_INET, prefixlen: prefix, index }, { local: addr, address: addr }, o),
      name, FlagsNew.CREATE | FlagsNew.EXCL, [EEXIST])
  }

  /** The link's IPv4 addresses as CIDRs, e.g. ['10.244.1.1/24'], in kernel order. */
  async listAddresses (name: string): Promise<string[]> {
    const op = `list addresses of link ${name}`
    const index = await this.resolve(op, name)
    return (await this.ipv4Addresses(op)).filter(a => a.index === index).map(a => `${a.ip}/${a.prefix}`)
  }

  /** MTU of the interface that holds `address` locally (to derive loom0's MTU from the underlay). */
  async underlayMTUFor (address: string): Promise<number> {
    const op = `find the underlay MTU for ${address}`
    parseIPv4(op, address)
    const hit = (await this.ipv4Addresses(op)).find(a => a.ip === address)
    if (hit === undefined) throw new AddressNotFoundError(op, address)
    const links = await this.call(op, (s, o) => s.getLink({ index: hit.index }, {}, o))
    return links[0]?.attrs.mtu ?? 0
  }

  // ---- routes ----

  /** Installs or replaces (NLM_F_CREATE|NLM_F_REPLACE) an IPv4 route in the main table. */
  async replaceRoute (spec: RouteSpec, known?: KnownLink): Promise<void> {
    await this.newRoute(`replace route ${describeRoute(spec)}`, spec, FlagsNew.CREATE | FlagsNew.REPLACE, known)
  }

  /**
   * Adds (NLM_F_CREATE|NLM_F_EXCL) an IPv4 route in the main table: fails with EEXIST rather
   * than replace a route with the same destination and metric that someone else made.
   */
  async addRoute (spec: RouteSpec): Promise<void> {
    await this.newRoute(`add route ${describeRoute(spec)}`, spec, FlagsNew.CREATE | FlagsNew.EXCL)
  }

  private async newRoute (op: string, spec: RouteSpec, flags: number, known?: KnownLink): Promise<void> {
    const { addr, prefix } = parseCidr(op, spec.dst, true)
    const gateway = spec.via === undefined ? undefined : parseIPv4(op, spec.via)
    const prefsrc = spec.src === undefined ? undefined : parseIPv4(op, spec.src)
    const scope = spec.scope ?? (gateway !== undefined ? 'global' : 'link')
    const oif = await this.resolve(op, spec.dev, known)
    const data: rt.Route = {
      family: AF_INET,
      dstLen: prefix,
      table: RT_TABLE_MAIN,
      protocol: 'BOOT',
      scope: scope === 'link' ? 'LINK' : 'UNIVERSE',
      type: 'UNICAST',
      flags: spec.onlink === true ? { __unknown: RTNH_F_ONLINK } : {},
    }
    const attrs: rt.RouteAttrs = { oif }
    if (prefix > 0) attrs.dst = addr
    if (gateway !== undefined) attrs.gateway = gateway
    if (prefsrc !== undefined) attrs.prefsrc = prefsrc
    await this.call(op, (s, o) => s.newRoute(data, attrs, o), spec.dev, flags)
  }

  /** Deletes an IPv4 main-table route by destination (and link, if given). Missing is fine. */
  async deleteRoute (spec: { dst: string, dev?: string }): Promise<void> {
    const op = `delete route ${spec.dst}${spec.dev !== undefined ? ` dev ${spec.dev}` : ''}`
    const { addr, prefix } = parseCidr(op, spec.dst, true)
    const attrs: rt.RouteAttrs = {}
    if (prefix > 0) attrs.dst = addr
    if (spec.dev !== undefined) {
      try {
        attrs.oif = await this.resolve(op, spec.dev)
      } catch (err) {
        if (err instanceof LinkNotFoundError) return // no link, so no route through it
        throw err
      }
    }
    await this.call(op,
      (s, o) => s.delRoute({ family: AF_INET, dstLen: prefix, table: RT_TABLE_MAIN, scope: 'NOWHERE' }, attrs, o),
      spec.dev, 0, [ESRCH])
  }

  /** IPv4 unicast routes of the main table, optionally only those through `dev`. */
  async listRoutes (filter: { dev?: string } = {}): Promise<RouteEntry[]> {
    const op = `list routes${filter.dev !== undefined ? ` dev ${filter.dev}` : ''}`
    const only = filter.dev === undefined ? undefined : await this.resolve(op, filter.dev)
    const links = await this.call(op, (s, o) => s.getLinks({}, {}, o))
    const names = new Map(links.map(l => [l.data.index ?? 0, l.attrs.ifname ?? '']))
    const routes = await this.call(op, (s, o) => s.getRoutes({ family: AF_INET }, {}, o))
    const out: RouteEntry[] = []
    for (const r of routes) {
      const table = r.attrs.table ?? r.data.table
      if (r.data.family !== AF_INET || table !== RT_TABLE_MAIN || !isUnicast(r.data.type)) continue
      const oif = r.attrs.oif
      if (oif === undefined || (only !== undefined && oif !== only)) continue
      const e: RouteEntry = {
        dst: `${r.attrs.dst !== undefined ? ipv4String(r.attrs.dst) : '0.0.0.0'}/${r.data.dstLen ?? 0}`,
        dev: names.get(oif) ?? `if${oif}`
      }
      if (r.attrs.gateway !== undefined) e.via = ipv4String(r.attrs.gateway)
      if (r.attrs.prefsrc !== undefined) e.src = ipv4String(r.attrs.prefsrc)
      out.push(e)
    }
    return out
  }

  // ---- neighbours ----

  /** `ip neigh replace <ip> lladdr <mac> dev <dev> nud permanent` */
  async replaceNeighbour (spec: NeighbourSpec, known?: KnownLink): Promise<void> {
    const op = `replace neighbour ${spec.ip} lladdr ${spec.mac} dev ${spec.dev}`
    const dst = parseIPv4(op, spec.ip)
    const lladdr = parseMac(op, spec.mac)
    const ifindex = await this.resolve(op, spec.dev, known)
    await this.call(op,
      (s, o) => s.newNeighbor({ family: AF_INET, ifindex, state: { permanent: true } }, { dst, lladdr }, o),
      spec.dev, FlagsNew.CREATE | FlagsNew.REPLACE)
  }

  // ---- internals ----

  protected async getLink (op: string, name: string): Promise<{ data: rt.Link, attrs: ifla.LinkAttrs }> {
    checkIfname(op, name)
    const links = await this.call(op, (s, o) => s.getLink({}, { ifname: name }, o), name)
    const link = links[0]
    if (link === undefined) throw new LinkNotFoundError(op, name)
    return link
  }

  /** The link's index: `known`'s when it names the same link, else one RTM_GETLINK. */
  protected async resolve (op: string, name: string, known?: KnownLink): Promise<number> {
    if (known !== undefined && known.name === name) {
      checkIfname(op, name)
      return known.index
    }
    return (await this.getLink(op, name)).data.index ?? 0
  }

  protected async ipv4Addresses (op: string): Promise<Array<{ index: number, ip: string, prefix: number }>> {
    const msgs = await this.call(op, (s, o) => s.getAddresses({ family: AF_INET }, {}, o))
    const out: Array<{ index: number, ip: string, prefix: number }> = []
    for (const m of msgs) {
      const raw = m.attrs.local ?? m.attrs.address
      if (m.data.family !== AF_INET || raw === undefined) continue
      out.push({ index: m.data.index ?? 0, ip: ipv4String(raw), prefix: m.data.prefixlen ?? 0 })
    }
    return out
  }

  /**
   * Runs one request; turns the package's errors into NetlinkError. `link` names the link the
   * request acts on, so an ENODEV becomes a LinkNotFoundError naming it. Errnos in `allow`
   * resolve with an empty reply instead.
   */
  protected async call<T> (op: string, fn: (s: RtNetlinkSocket, o: RequestOptions) => Promise<T[]>,
    link?: string, flags = 0, allow: number[] = []): Promise<T[]> {
    const s = this.socket
    if (s === null) throw new NetlinkError(op, 0, { detail: 'netlink client is closed' })
    try {
      const t0 = process.hrtime.bigint()
      const pending = fn(s, { flags, timeout: this.timeoutMs })
      this.syncSeconds += Number(process.hrtime.bigint() - t0) / 1e9
      return await pending
    } catch (err) {
      const errno = errnoOf(err)
      if (errno !== 0 && allow.includes(errno)) return []
      if (errno === ENODEV && link !== undefined) throw new LinkNotFoundError(op, link, { cause: err })
      throw wrap(op, err)
    }
  }
}

function linkInfoOf (op: string, name: string, link: { data: rt.Link, attrs: ifla.LinkAttrs }): LinkWithMAC {
  const mac = link.attrs.address
  if (mac === undefined || mac.length === 0) throw new NetlinkError(op, 0, { detail: 'link has no hardware address' })
  return { name, index: link.data.index ?? 0, mac: Buffer.from(mac) }
}

function wrap (op: string, err: unknown): NetlinkError {
  return new NetlinkError(op, errnoOf(err), { cause: err })
}

/**
 * The package rejects with `Error('Request rejected: ENODEV')` for a kernel NLMSG_ERROR (or
 * the number when Node has no name for it), and with an ErrnoException for a failed send.
 */
function errnoOf (err: unknown): number {
  if (!(err instanceof Error)) return 0
  const m = /^Request rejected: (\S+)$/.exec(err.message)
  if (m !== null) {
    const n = Number(m[1])
    return Number.isInteger(n) ? Math.abs(n) : errnoNumber(m[1])
  }
  const e = (err as { errno?: unknown }).errno
  return typeof e === 'number' ? Math.abs(e) : 0
}

function isUnicast (type: rt.Route['type']): boolean {
  return type === 'UNICAST' || type === 1
}

function describeRoute (r: RouteSpec): string {
  let s = r.dst
  if (r.via !== undefined) s += ` via ${r.via}`
  s += ` dev ${r.dev}`
  if (r.src !== undefined) s += ` src ${r.src}`
  if (r.onlink === true) s += ' onlink'
  return s
}

export function checkIfname (op: string, name: string): void {
  if (name.length === 0 || Buffer.byteLength(name) > IFNAME_MAX || /[\s/:]/.test(name)) {
    throw new NetlinkArgumentError(op,
      `invalid link name ${JSON.stringify(name)} (1..${IFNAME_MAX} bytes, no whitespace, '/' or ':')`)
  }
}

/** The 4 network-order bytes of a strict dotted quad (lib/ipv4.ts), or undefined. */
export function ipv4Bytes (s: string): Buffer | undefined {
  const n = tryParseIPv4Address(s)
  if (n === undefined) return undefined
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32BE(n, 0)
  return b
}

export function parseIPv4 (op: string, s: string): Buffer {
  const b = ipv4Bytes(s)
  if (b === undefined) throw new NetlinkArgumentError(op, `${JSON.stringify(s)} is not an IPv4 address`)
  return b
}

function parseCidr (op: string, s: string, network: boolean): { addr: Buffer, prefix: number } {
  const c = tryParseCIDR(s)
  if (c === undefined) throw new NetlinkArgumentError(op, `${JSON.stringify(s)} is not an IPv4 CIDR`)
  if (network && c.hostBitsSet) throw new NetlinkArgumentError(op, `${s} has host bits set`)
  const addr = Buffer.allocUnsafe(4)
  addr.writeUInt32BE(c.address, 0)
  return { addr, prefix: c.prefixLength }
}

function ipv4String (b: Uint8Array): string {
  return formatIPv4Address(Buffer.from(b.buffer, b.byteOffset, 4).readUInt32BE(0))
}

export function parseMac (op: string, s: string): Buffer {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(s)) {
    throw new NetlinkArgumentError(op,
    `${JSON.stringify(s)} is not a MAC address`)
  }
  return Buffer.from(s.replace(/:/g, ''), 'hex')
}
