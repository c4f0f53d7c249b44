/**
 * The classic-BPF program of the multicast capture socket (SO_ATTACH_FILTER), built here so it
 * is plain data with a unit test, and handed to the native addon as bytes.
 *
 * Keeps a frame only if (Ethernet link header, as on the pod veths):
 *   - it was not sent by this host (packet type ≠ PACKET_OUTGOING: our own injections on the
 *     member veths, and anything the host routes out, are never read back);
 *   - EtherType is IPv4 and the IP version nibble is 4;
 *   - the IPv4 destination is in 224.0.0.0/4.
 * The kernel runs it before a frame is queued, so unicast traffic never reaches userspace.
 * Which interfaces count (known pod veths) is decided in TypeScript from sll_ifindex.
 *
 * struct sock_filter (linux/filter.h): u16 code, u8 jt, u8 jf, u32 k — little-endian here
 * (the host's order; x86-64 and arm64 are both little-endian).
 */

/** linux/filter.h / linux/bpf_common.h opcodes. */
export const BPF = {
  LD_W_ABS: 0x20, LD_H_ABS: 0x28, LD_B_ABS: 0x30, ALU_AND_K: 0x54, JEQ_K: 0x15, JGT_K: 0x25, JGE_K: 0x35, RET_K: 0x06,
} as const
/** Ancillary data offsets (linux/filter.h): SKF_AD_OFF + SKF_AD_PKTTYPE. */
export const SKF_AD_OFF = -0x1000
export const SKF_AD_PKTTYPE = 4
/** linux/if_packet.h */
export const PACKET_OUTGOING = 4
/** Bytes kept of an accepted frame: all of it. */
export const SNAP_LEN = 0x40000

export interface BpfInsn { code: number, jt: number, jf: number, k: number }

export const ETH_HEADER_LEN = 14

/** The program as instructions (the tests run them through a small interpreter). */
export function multicastFilterProgram (): BpfInsn[] {
  const i = (code: number, k: number, jt = 0, jf = 0): BpfInsn => ({ code, jt, jf, k: k >>> 0 })
  // Jump offsets count from the next instruction; 11 is the drop.
  return [
    /* 0 */ i(BPF.LD_W_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
    /* 1 */ i(BPF.JEQ_K, PACKET_OUTGOING, 9, 0), // sent by this host -> drop
    /* 2 */ i(BPF.LD_H_ABS, 12),
    /* 3 */ i(BPF.JEQ_K, 0x0800, 0, 7), // not IPv4 -> drop
    /* 4 */ i(BPF.LD_B_ABS, ETH_HEADER_LEN),
    /* 5 */ i(BPF.ALU_AND_K, 0xf0),
    /* 6 */ i(BPF.JEQ_K, 0x40, 0, 4), // not version 4 -> drop
    /* 7 */ i(BPF.LD_B_ABS, ETH_HEADER_LEN + 16), // first byte of the destination
    /* 8 */ i(BPF.JGE_K, 0xe0, 0, 2), // below 224 -> drop
    /* 9 */ i(BPF.JGT_K, 0xef, 1, 0), // above 239 -> drop
    /* 10 */ i(BPF.RET_K, SNAP_LEN),
    /* 11 */ i(BPF.RET_K, 0),
  ]
}

/** The program as the bytes of a struct sock_filter[] (8 bytes per instruction). */
export function encodeBpfProgram (prog: BpfInsn[]): Buffer {
  const out = Buffer.alloc(prog.length * 8)
  prog.forEach((x, n) => {
    out.writeUInt16LE(x.code, n * 8)
    out[n * 8 + 2] = x.jt
    out[n * 8 + 3] = x.jf
    out.writeUInt32LE(x.k >>> 0, n * 8 + 4)
  })
  return out
}
