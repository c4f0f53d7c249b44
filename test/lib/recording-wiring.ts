/**
 * A PodWiring (cni/commands.ts) that touches no namespace: every ADD "wires", every host veth
 * "deletion" is recorded, no host veth is listed. For tests of the CNI flow's state (ages,
 * locks, the address book), where the kernel side is not the subject.
 */
import type { PodWiring } from '../../cni/commands'

export function recordingWiring (deleted: string[] = []): PodWiring & { deleted: string[] } {
  return {
    deleted,
    openNetns: () => 3,
    closeNetns: () => {},
    wirePod: async () => ({ hostMAC: '02:00:00:00:00:01', podMAC: '02:00:00:00:00:02' }),
    detachHostVeth: async (name) => { deleted.push(name) },
    checkPod: async () => {},
    listHostVeths: async () => [],
  }
}
