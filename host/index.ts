/**
 * host/: the Linux plumbing of the node itself, used by the agent, the data plane's set-up and
 * the CNI plugin (the role of the CNI project's pkg/ns and pkg/ip):
 *   - `netlink.ts`: links, addresses, routes, neighbours over rtnetlink (NetlinkClient);
 *     `netlink-attrs.ts` encodes the nested attributes the `netlink` package lacks;
 *     `netlink-batch.ts` sends requests together from a pool thread (link deletion waits in the
 *     kernel for tens of ms, and must not do so on the event loop);
 *   - `netns.ts`: entering a network namespace for the instant of opening a socket there;
 *   - `sysctl.ts`: kernel parameters under /proc/sys;
 *   - `sd-notify.ts`: systemd readiness and watchdog notifications;
 *   - `native-binding.ts`: the host addon (host/native/: setns, the notify datagram, the state
 *     directory's flock and *at() calls, the pool-thread netlink round trip), and
 *     `native-addon.ts`, which finds and loads every Loom addon (the data path's too).
 * Read `netlink.ts` first, then `netns.ts`.
 *
 * It imports nothing from the other rooms: dataplane/, control/, cni/ and agent/ build on it.
 * Nothing here is on the packet path.
 */
export { NetlinkClient } from './netlink'
export type { KnownLink, LinkWithMAC, NetlinkClientInit, NeighbourSpec, RouteEntry, RouteSpec } from './netlink'
export { AddressNotFoundError, LinkNotFoundError, NetlinkArgumentError, NetlinkError } from './netlink-errors'
export { deleteLinkGroupRequest, sendNetlinkBatch, setLinkGroupRequest } from './netlink-batch'
export type { BatchOutcome, BatchRequest } from './netlink-batch'
export { NetnsEntryError, runInNetns } from './netns'
export { setSysctl, sysctlPath } from './sysctl'
export { SdNotify } from './sd-notify'
export type { SdNotifyComponents } from './sd-notify'
export { loadHostBinding } from './native-binding'
export type { HostBinding, SyscallError } from './native-binding'
export { NativeBindingLoadError } from './native-addon'
