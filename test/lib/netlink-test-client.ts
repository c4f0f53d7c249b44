/**
 * NetlinkClient plus what only the tests need: a kernel VXLAN link and its FDB entries (the
 * Flannel-style peer of test/netns/vxlan-interop.test.ts), flushing addresses, reading a link's
 * index, MTU and MAC. Kept out of host/ so loomd does not ship code it never runs.
 */
import { createRtNetlink, FlagsNew } from 'netlink'
import { VXLAN_VNI_MAX } from '../../dataplane/constants'
import {
  AF_INET, checkIfname, ipv4Bytes, NetlinkClient, parseIPv4, parseMac, type NetlinkClientInit,
} from '../../host/netlink'
import { errnoNumber, NetlinkArgumentError, NetlinkError } from '../../host/netlink-errors'
import { encodeVxlanLinkInfo } from './vxlan-link-info'

const AF_BRIDGE = 7
const EADDRNOTAVAIL = errnoNumber('EADDRNOTAVAIL')
const DEFAULT_TIMEOUT_MS = 5000

export interface VxlanSpec {
  name: string
  /** VXLAN network identifier, 0..2^24-1. */
  vni: number
  /** UDP port, e.g. 4789. */
  port: number
  /** Outer source IPv4 address (IFLA_VXLAN_LOCAL). */
  localAddress?: string
  /** MAC learning from received frames; default false (static FDB, the Flannel way). */
  learning?: boolean
  /** Underlay link the tunnel is bound to (IFLA_VXLAN_LINK). */
  underlayDev?: string
}

export interface FdbSpec {
  /** The vxlan link. */
  dev: string
  /** Remote VTEP MAC, 'aa:bb:cc:dd:ee:ff'. */
  mac: string
  /** Remote underlay IPv4 address. */
  dst: string
}

export class NetlinkTestClient extends NetlinkClient {
  /** As NetlinkClient.open. */
  static override open (init: NetlinkClientInit = {}): NetlinkTestClient {
    try {
      return new NetlinkTestClient(createRtNetlink(), init.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    } catch (err) {
      throw new NetlinkError('open rtnetlink socket', (err as { errno?: number }).errno ?? 0, { cause: err })
    }
  }

  /** Index of the link; LinkNotFoundError naming it when absent. */
  async linkIndex (name: string): Promise<number> {
    return (await this.getLink(`find link ${name}`, name)).data.index ?? 0
  }

  /** The link's hardware address (6 bytes for Ethernet-like links). A copy, caller-owned. */
  async linkMAC (name: string): Promise<Buffer> {
    return (await this.linkInfo(name)).mac
  }

  async linkMTU (name: string): Promise<number> {
    const link = await this.getLink(`read MTU of link ${name}`, name)
    return link.attrs.mtu ?? 0
  }

  /** Creates a VXLAN link (down). Fails with EEXIST if a link of that name exists. */
  async createVxlan (spec: VxlanSpec): Promise<void> {
    const op = `create vxlan link ${spec.name} (vni ${spec.vni}, port ${spec.port})`
    checkIfname(op, spec.name)
    if (!Number.isInteger(spec.vni) || spec.vni < 0 || spec.vni > VXLAN_VNI_MAX) {
      throw new NetlinkArgumentError(op,
      `VNI ${spec.vni} is outside 0..${VXLAN_VNI_MAX}`)
    }
    if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 0xffff) {
      throw new NetlinkArgumentError(op,
      `port ${spec.port} is outside 1..65535`)
    }
    const local = spec.localAddress === undefined ? undefined : parseIPv4(op, spec.localAddress)
    const underlayIndex = spec.underlayDev === undefined ? undefined : await this.resolve(op, spec.underlayDev)
    const linkinfo = encodeVxlanLinkInfo({
      vni: spec.vni, port: spec.port, local, underlayIndex, learning: spec.learning === true
    })
    await this.call(op, (s, o) => s.newLink({}, { ifname: spec.name, linkinfo }, o), undefined,
      FlagsNew.CREATE | FlagsNew.EXCL)
  }

  /** Removes every IPv4 address of the link. */
  async flushAddresses (name: string): Promise<void> {
    const op = `flush addresses of link ${name}`
    const index = await this.resolve(op, name)
    for (const a of (await this.ipv4Addresses(op)).filter(x => x.index === index)) {
      const raw = ipv4Bytes(a.ip)
      // Deleting a primary may take its secondaries with it: EADDRNOTAVAIL then is fine.
      await this.call(`delete address ${a.ip}/${a.prefix} from link ${name}`,
        (s, o) => s.delAddress({ family: AF_INET, prefixlen: a.prefix, index }, { local: raw, address: raw }, o),
        name, 0, [EADDRNOTAVAIL])
    }
  }

  /** `bridge fdb replace <mac> dev <vxlan> dst <ip> self permanent` (AF_BRIDGE, NTF_SELF, NUD_PERMANENT). */
  async replaceFdb (spec: FdbSpec): Promise<void> {
    const op = `replace fdb entry ${spec.mac} dst ${spec.dst} dev ${spec.dev}`
    const lladdr = parseMac(op, spec.mac)
    const dst = parseIPv4(op, spec.dst)
    const ifindex = await this.resolve(op, spec.dev)
    await this.call(op, (s, o) => s.newNeighbor(
      { family: AF_BRIDGE, ifindex, state: { permanent: true }, flags: { self: true } }, { lladdr, dst }, o),
    spec.dev, FlagsNew.CREATE | FlagsNew.REPLACE)
  }
}
