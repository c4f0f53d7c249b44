/**
 * The namespace work of ADD, DEL, CHECK and GC: one veth pair per attachment.
 *
 *   pod netns (CNI_NETNS)                         host netns (where loomd runs)
 *     <CNI_IFNAME> 10.244.1.5/32  ── veth ──  lxc0123456789a (proxy_arp=1, no address)
 *     169.254.1.1 dev eth0 scope link            10.244.1.5/32 dev lxc0123456789a scope link
 *     default via 169.254.1.1 dev eth0
 *     neigh 169.254.1.1 lladdr <host veth MAC> permanent
 *
 * The gateway 169.254.1.1 exists nowhere: the pod resolves it through the permanent neighbour
 * entry (proxy ARP on the host veth answers too, but the static entry also works on nodes
 * without a default route, where proxy ARP has no route to justify an answer).
 *
 * Runs in loomd (cni/commands.ts calls it), with the pod's namespace as an fd already checked
 * by cni/netns-file.ts.
 *
 * Namespaces: a netlink socket stays bound to the namespace it was created in. So we enter the
 * pod's namespace only for the instant of opening its NetlinkClient (host/netns.ts runInNetns)
 * and then drive the two clients side by side. No await ever runs while the thread is in the
 * pod's namespace, so nothing else (the HTTP client, file writes under /proc/sys) can act in the
 * wrong namespace.
 *
 * Creation order keeps the rollback trivial: everything hangs off the host veth. Deleting it
 * removes its peer (wherever it is, with its addresses, routes and neighbour) and the host /32
 * route, so a failed ADD is undone by `deleteLink(hostVeth)` plus releasing the address.
 */
import { closeSync } from 'node:fs'
import { NetlinkClient, NetnsEntryError, runInNetns, setSysctlAsync, type RouteEntry } from '../host'
import type { PodWiring, WireOutcome, WireSpec } from './commands'
import { CheckFailedError, InterfaceExistsError, UnknownContainerError, WiringError } from './errors'
import { openNetnsFile } from './netns-file'
import { HOST_VETH_RE } from '../lib'

/** The agent's PodWiring: the functions below. */
export const podWiring: PodWiring = {
  openNetns: openNetnsFile,
  closeNetns: closeSync,
  wirePod: (spec) => wirePod(spec),
  deleteHostVeth: (name) => deleteHostVeth(name),
  checkPod: (spec) => checkPod(spec),
  listHostVeths: () => listHostVeths(),
}

/** A NetlinkClient bound to the namespace open at `netnsFd` (see the header on how). */
export function openNetlinkIn (netnsFd: number, netns: string): NetlinkClient {
  try {
    return runInNetns(netnsFd, netns, () => NetlinkClient.open())
  } catch (err) {
    if (err instanceof NetnsEntryError) throw new UnknownContainerError(err.message, { cause: err.cause })
    throw err
  }
}

/** Creates the pair and configures both ends. On failure throws, leaving cleanup to the caller (deleteHostVeth). */
export async function wirePod (spec: WireSpec): Promise<WireOutcome> {
  const nsFd = spec.netnsFd
  const host = NetlinkClient.open()
  let pod: NetlinkClient | undefined
  try {
    pod = openNetlinkIn(nsFd, spec.netns)
    if (await pod.linkExists(spec.ifname)) {
      throw new InterfaceExistsError(`interface ${spec.ifname} already exists in network namespace ${spec.netns}`)
    }
    // The peer is born in the pod's namespace with its final name and both MTUs set: no move
    // (which waits for RCU grace periods), no rename, one request.
    await step(`create veth pair ${spec.hostVeth}/${spec.ifname} into ${spec.netns}`,
      () => host.createVeth(spec.hostVeth, spec.ifname, { mtu: spec.mtu, peerNetnsFd: nsFd }))
    const hostMAC = macString(await host.linkMAC(spec.hostVeth))
    // The two sides are independent from here: configure them side by side.
    const [podMAC] = await Promise.all([
      step(`configure ${spec.ifname} in ${spec.netns}`, async () => {
        await pod!.setLinkUp(spec.ifname)
        await pod!.addAddress(spec.ifname, `${spec.address}/32`)
        await pod!.replaceRoute({ dst: `${spec.gateway}/32`, dev: spec.ifname, scope: 'link' })
        await pod!.replaceRoute({ dst: '0.0.0.0/0', dev: spec.ifname, via: spec.gateway })
        await pod!.replaceNeighbour({ dev: spec.ifname, ip: spec.gateway, mac: hostMAC, permanent: true })
        return macString(await pod!.linkMAC(spec.ifname))
      }),
      step(`configure host side ${spec.hostVeth}`, async () => {
        await host.setLinkUp(spec.hostVeth)
        await setSysctlAsync(['net', 'ipv4', 'conf', spec.hostVeth, 'proxy_arp'], '1')
        await host.replaceRoute({ dst: `${spec.address}/32`, dev: spec.hostVeth, scope: 'link' })
      }),
    ])
    return { hostMAC, podMAC }
  } finally {
    pod?.close()
    host.close()
  }
}

/** Deletes the host veth (its peer, the pod's routes through it and the host /32 route go with it). Missing is fine. */
export async function deleteHostVeth (hostVeth: string): Promise<void> {
  const host = NetlinkClient.open()
  try {
    await step(`delete host veth ${hostVeth}`, () => host.deleteLink(hostVeth))
  } finally {
    host.close()
  }
}

export async function hostVethExists (hostVeth: string): Promise<boolean> {
  const host = NetlinkClient.open()
  try {
    return await host.linkExists(hostVeth)
  } finally {
    host.close()
  }
}

/** Host links that look like Loom's host veths (lxc + 11 hex). */
export async function listHostVeths (): Promise<string[]> {
  const host = NetlinkClient.open()
  try {
    return (await host.listLinkNames()).filter((n) => HOST_VETH_RE.test(n))
  } finally {
    host.close()
  }
}

/** Verifies what wirePod made; CheckFailedError (102) naming the first difference. */
export async function checkPod (spec: Omit<WireSpec, 'mtu'>): Promise<void> {
  const host = NetlinkClient.open()
  let pod: NetlinkClient | undefined
  try {
    pod = openNetlinkIn(spec.netnsFd, spec.netns)
    if (!await pod.linkExists(spec.ifname)) throw new CheckFailedError(`interface ${spec.ifname} is missing in network namespace ${spec.netns}`)
    const addrs = await pod.listAddresses(spec.ifname)
    if (!addrs.includes(`${spec.address}/32`)) {
      throw new CheckFailedError(`interface ${spec.ifname} in ${spec.netns} has addresses [${addrs.join(', ')}], expected ${spec.address}/32`)
    }
    const podRoutes = await pod.listRoutes({ dev: spec.ifname })
    requireRoute(podRoutes, { dst: `${spec.gateway}/32`, dev: spec.ifname }, `in ${spec.netns}`)
    requireRoute(podRoutes, { dst: '0.0.0.0/0', dev: spec.ifname, via: spec.gateway }, `in ${spec.netns}`)
    if (!await host.linkExists(spec.hostVeth)) throw new CheckFailedError(`host veth ${spec.hostVeth} is missing`)
    if (!await host.linkIsUp(spec.hostVeth)) throw new CheckFailedError(`host veth ${spec.hostVeth} is down`)
    requireRoute(await host.listRoutes({ dev: spec.hostVeth }), { dst: `${spec.address}/32`, dev: spec.hostVeth },
      'on the host')
  } catch (err) {
    if (err instanceof CheckFailedError || err instanceof UnknownContainerError) throw err
    throw new CheckFailedError(`check of ${spec.ifname} in ${spec.netns} failed: ${(err as Error).message}`,
      { cause: err })
  } finally {
    pod?.close()
    host.close()
  }
}

function requireRoute (routes: RouteEntry[], want: RouteEntry, where: string): void {
  const hit = routes.some((r) => r.dst === want.dst && r.dev === want.dev &&
    (want.via === undefined || r.via === want.via))
  if (!hit) {
    const desc = `${want.dst}${want.via !== undefined ? ` via ${want.via}` : ''} dev ${want.dev}`
    throw new CheckFailedError(`route ${desc} is missing ${where} (have: ${routes.map((r) => `${r.dst}${r.via !== undefined ? ` via ${r.via}` : ''}`).join(', ') || 'none'})`)
  }
}

/** Runs one wiring step; a non-CNI failure becomes WiringError (100) naming the step. */
async function step<T> (what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof Error && 'cniCode' in err) throw err
    throw new WiringError(`failed to ${what}: ${(err as Error).message}`, { cause: err })
  }
}

function macString (b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':')
}
