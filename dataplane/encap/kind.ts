/**
 * What one encapsulation kind tells the rest of Loom about itself: its port, how it is built,
 * whether encryption may replace it. One object per kind, in dataplane/encap/<kind>/index.ts,
 * listed by name in dataplane/encap/index.ts (the registry); the agent, config validation,
 * status and metrics read kinds only through the registry.
 */
import type { Encapsulation } from '../types'

/**
 * The configuration an encapsulation may read (the same shape as loomd's config: `underlay.port`,
 * `vxlan.port`, `vxlan.vni`, so the agent hands its config over as is).
 */
export interface EncapsulationSettings {
  readonly underlay: { readonly port: number }
  readonly vxlan: { readonly port: number, readonly vni: number }
}

/** This node as an encapsulation names it on the wire. */
export interface EncapsulationSelf {
  /** deriveNodeIndex of the node name (Loom's `udp` framing). */
  readonly index: number
  /** The VTEP MAC (`vxlan`): fixed by the config in static mode, else derived from the name. */
  readonly vtepMAC: Buffer
}

export interface EncapsulationKindSpec<K extends string = string> {
  /** The name in the config (`encapsulation`), in `loom status` and in metrics labels. */
  readonly kind: K
  /** The UDP port this kind receives on (and peers send to), from the settings. */
  dataPort(settings: EncapsulationSettings): number
  /**
   * Send-only sockets besides the bound one, so flows leave from several source ports (RFC 7348
   * §5 for VXLAN: ECMP and receive-side scaling spread them); 0 = one source port.
   */
  readonly extraSourcePorts: number
  /**
   * Why `encryption.enabled` is refused with this kind (the config error's "expected" text ends
   * with it), or undefined when the encrypted `udp` framing may take its place.
   */
  readonly encryptionRefused?: string
  /** Builds this node's encapsulation. Throws RangeError on values the config check let through. */
  create(self: EncapsulationSelf, settings: EncapsulationSettings): Encapsulation
}
