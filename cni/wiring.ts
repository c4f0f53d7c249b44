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
 * Creation order keeps the rollback trivial: everything hangs off the host veth. Taking it down
 * cuts the pod off and removes the host /32 route; deleting it removes its peer (wherever it is,
 * with its addresses, routes and neighbour). So a failed ADD, a DEL and GC detach the host veth
 * (down, queued for deletion: ./veth-reaper.ts) and then release the address.
 *
 * Round trips, because 100 pods starting at once share loomd's one event loop and the kernel's
 * rtnl lock (bench/cni-latency.ts shows the stages): an ADD waits for the kernel three times.
 *   1. RTM_NEWLINK with NLM_F_ECHO creates the pair, the host end up (IFF_UP in its ifinfomsg),
 *      the peer in the pod's namespace; the echo gives the host end's index and MAC, no RTM_GETLINK.
 *      EEXIST: a host veth of this name is an earlier ADD's of the same attachment (the name
 *      derives from containerID and ifname), also one a DEL detached and the reaper has not
 *      deleted yet: delete it (off the event loop, waiting for the reap) and create once more;
 *      EEXIST again is the pod's ifname taken by something else (code 4).
 *   2. Pod side: one RTM_GETLINK for the peer's index and MAC; host side: proxy ARP (an
 *      RTM_SETLINK, not a /proc/sys write through libuv's thread pool, which the state fsyncs
 *      also use) and the /32 route, sent together.
 *   3. Pod side: link up, address, link route, default route and neighbour, sent together.
 * Requests on one socket run in the order sent (host/netlink.ts), so the default route finds
 * the link route it needs, and the first failure is the one reported.
 */
import { closeSync } from 'node:fs'
import { NetlinkClient, NetlinkError, NetnsEntryError, runInNetns, type LinkWithMAC, type RouteEntry } from '../host'
import type { PodWiring, WireOutcome, WireSpec } from './commands'
import { CheckFailedError, InterfaceExistsError, UnknownContainerError, WiringError } from './errors'
import { openNetnsFile } from './netns-file'
import { StageTimes } from './stages'
import { REAP_GROUP, VethReaper } from './veth-reaper'
import { HOST_VETH_RE } from '../lib'

/** The agent's PodWiring: the functions below. */
export const podWiring: PodWiring = {
  openNetns: openNetnsFile,
  closeNetns: closeSync,
  wirePod: (spec) => wirePod(spec),
  detachHostVeth: (name, stages) => detachHostVeth(name, stages),
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

/**
 * Creates the pair and configures both ends (three kernel round trips, see the header),
 * replacing a host veth left by an earlier ADD of the same attachment. On failure throws,
 * leaving cleanup to the caller (detachHostVeth).
 */
export async function wirePod (spec: WireSpec): Promise<WireOutcome> {
  const st = spec.stages ?? new StageTimes()
  const host = NetlinkClient.open()
  let pod: NetlinkClient | undefined
  try {
    pod = st.timeSync('netns_enter', () => openNetlinkIn(spec.netnsFd, spec.netns))
    const podClient = pod
    const hostLink = await st.time('veth_create', () => createPair(host, spec))
    const hostMAC = macString(hostLink.mac)
    const [podMAC] = await Promise.all([
      st.time('pod_config', () => step(`configure ${spec.ifname} in ${spec.netns}`, async () => {
        const link = await podClient.linkInfo(spec.ifname)
        await allInOrder([
          podClient.setLinkUp(spec.ifname, link),
          podClient.addAddress(spec.ifname, `${spec.address}/32`, link),
          podClient.replaceRoute({ dst: `${spec.gateway}/32`, dev: spec.ifname, scope: 'link' }, link),
          podClient.replaceRoute({ dst: '0.0.0.0/0', dev: spec.ifname, via: spec.gateway }, link),
          podClient.replaceNeighbour({ dev: spec.ifname, ip: spec.gateway, mac: hostMAC, permanent: true }, link),
        ])
        return macString(link.mac)
      })),
      st.time('host_config', () => step(`configure host side ${spec.hostVeth}`, () => allInOrder([
        host.setProxyArp(spec.hostVeth, true, hostLink),
        host.replaceRoute({ dst: `${spec.address}/32`, dev: spec.hostVeth, scope: 'link' }, hostLink),
      ]))),
    ])
    return { hostMAC, podMAC }
  } finally {
    st.add('netlink_sync', host.syncSeconds + (pod?.syncSeconds ?? 0))
    pod?.close()
    host.close()
  }
}

/**
 * The pair, both ends up, the peer born in the pod's namespace with its final name and both
 * MTUs set (no move, which waits for RCU grace periods, and no rename); the host end's index
 * and MAC. A host veth of the same name (an earlier ADD of this attachment) is replaced.
 */
async function createPair (host: NetlinkClient, spec: WireSpec): Promise<LinkWithMAC> {
  const what = `create veth pair ${spec.hostVeth}/${spec.ifname} into ${spec.netns}`
  const create = (): Promise<(LinkWithMAC) | undefined> =>
    host.createVeth(spec.hostVeth, spec.ifname, { mtu: spec.mtu, peerNetnsFd: spec.netnsFd, up: true })
  const taken = (): Error =>
    new InterfaceExistsError(`interface ${spec.ifname} already exists in network namespace ${spec.netns}`)
  let made: (LinkWithMAC) | undefined
  try {
    made = await create()
  } catch (err) {
    if (!isEexist(err)) throw asWiringError(what, err)
    if (!await step(`find host veth ${spec.hostVeth}`, () => host.linkExists(spec.hostVeth))) throw taken()
    await step(`delete host veth ${spec.hostVeth} left by an earlier ADD`, () => reaper.delete(spec.hostVeth))
    try {
      made = await create()
    } catch (err2) {
      if (isEexist(err2)) throw taken()
      throw asWiringError(what, err2)
    }
  }
  return made ?? await step(`read host veth ${spec.hostVeth}`, () => host.linkInfo(spec.hostVeth))
}

function isEexist (err: unknown): boolean {
  return err instanceof NetlinkError && err.errnoName === 'EEXIST'
}

/**
 * Awaits requests issued together; throws the first failure in issue order (the one the
 * later ones may have failed because of), after all have settled.
 */
async function allInOrder (requests: Array<Promise<void>>): Promise<void> {
  const settled = await Promise.allSettled(requests)
  for (const r of settled) if (r.status === 'rejected') throw r.reason
}

/** Host veths of DEL, GC and rollback: detached at once, deleted in batches (./veth-reaper.ts). */
const reaper = new VethReaper()

/**
 * Takes the host veth out of service: down, so the pod's address is dead on it (nothing passes
 * the veth, the host /32 route is gone with the down), and into the reap group; its deletion
 * (and its peer's) follows off the caller's path. Missing is fine.
 */
export async function detachHostVeth (hostVeth: string, stages?: StageTimes): Promise<void> {
  const sync = await step(`take host veth ${hostVeth} out of service`, () => reaper.detach(hostVeth))
  stages?.add('netlink_sync', sync)
}

/**
 * Deletes every detached host veth, also those a previous loomd left detached (a crash between a
 * DEL's answer and the deletion); settles once that deletion is done. loomd calls it at start.
 */
export function reapDetachedHostVeths (): Promise<void> {
  return reaper.reap()
}

/** Waits, at most `timeoutMs`, for the detached host veths to be deleted (loomd's stop). */
export function settleHostVethReaps (timeoutMs: number): Promise<void> {
  return reaper.settle(timeoutMs)
}

export async function hostVethExists (hostVeth: string): Promise<boolean> {
  const host = NetlinkClient.open()
  try {
    return await host.linkExists(hostVeth)
  } finally {
    host.close()
  }
}

/** Host links that look like Loom's host veths (lxc + 11 hex), but for those detached already. */
export async function listHostVeths (): Promise<string[]> {
  const host = NetlinkClient.open()
  try {
    return (await host.listLinkNames({ notInGroup: REAP_GROUP })).filter((n) => HOST_VETH_RE.test(n))
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
    throw asWiringError(what, err)
  }
}

function asWiringError (what: string, err: unknown): Error {
  if (err instanceof Error && 'cniCode' in err) return err
  return new WiringError(`failed to ${what}: ${(err as Error).message}`, { cause: err })
}

function macString (b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':')
}
