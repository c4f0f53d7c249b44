/**
 * The capture socket's classic-BPF program, run through a small interpreter of the instructions
 * it uses (linux/filter.h semantics), against real and hostile frames: IPv4 multicast from a pod
 * is kept whole; unicast, broadcast, ARP, IPv6, our own outgoing frames and 240/4 are dropped.
 */
import t from 'tap'
import { parseIPv4Address } from '../../lib'
import {
  BPF, encodeBpfProgram, multicastFilterProgram, PACKET_OUTGOING, SKF_AD_OFF, SKF_AD_PKTTYPE, SNAP_LEN, type BpfInsn
} from '../../dataplane/multicast-filter'

const PACKET_HOST = 0
const PACKET_MULTICAST = 2

/** Runs a program over `frame` received with packet type `pkttype`; returns the accept length. */
function run (prog: BpfInsn[], frame: Buffer, pkttype: number): number {
  let a = 0
  for (let pc = 0, steps = 0; pc < prog.length && steps < 1000; steps++) {
    const x = prog[pc]
    const load = (size: number): number | undefined => {
      if ((x.k | 0) === SKF_AD_OFF + SKF_AD_PKTTYPE) return pkttype
      if (x.k + size > frame.length) return undefined
      return size === 4 ? frame.readUInt32BE(x.k) : size === 2 ? frame.readUInt16BE(x.k) : frame[x.k]
    }
    switch (x.code) {
      case BPF.LD_W_ABS: case BPF.LD_H_ABS: case BPF.LD_B_ABS: {
        const v = load(x.code === BPF.LD_W_ABS ? 4 : x.code === BPF.LD_H_ABS ? 2 : 1)
        if (v === undefined) return 0 // out-of-bounds load: the kernel drops the packet
        a = v
        pc++
        break
      }
      case BPF.ALU_AND_K: a = (a & x.k) >>> 0; pc++; break
      case BPF.JEQ_K: pc += 1 + (a === x.k ? x.jt : x.jf); break
      case BPF.JGT_K: pc += 1 + (a > x.k ? x.jt : x.jf); break
      case BPF.JGE_K: pc += 1 + (a >= x.k ? x.jt : x.jf); break
      case BPF.RET_K: return x.k
      default: throw new Error(`unknown opcode ${x.code}`)
    }
  }
  throw new Error('program fell off the end')
}

// A pod's IGMPv3 report as captured on its host veth (tcpdump -xx, kernel 6.18).
const IGMP_FRAME = Buffer.from('01005e000016eee9e264d402080046c000280000400001' + '02f7fa0af4010be00000169404000022' + '00e8f90000000104000000ef010203', 'hex')
function udpFrame (dst: string, ethType = 0x0800, version = 4): Buffer {
  const f = Buffer.alloc(14 + 28 + 4)
  f.writeUInt16BE(ethType, 12)
  f[14] = (version << 4) | 5
  f.writeUInt32BE(parseIPv4Address(dst), 14 + 16)
  return f
}

t.test('keeps IPv4 multicast from pods, whole', async (t) => {
  const prog = multicastFilterProgram()
  t.equal(run(prog, IGMP_FRAME, PACKET_MULTICAST), SNAP_LEN, 'a real IGMP report')
  t.equal(run(prog, udpFrame('239.1.2.3'), PACKET_MULTICAST), SNAP_LEN)
  t.equal(run(prog, udpFrame('224.0.0.251'), PACKET_MULTICAST), SNAP_LEN, 'link-local groups too')
  t.equal(run(prog, udpFrame('239.255.255.255'), PACKET_HOST), SNAP_LEN)
})

t.test('drops everything else', async (t) => {
  const prog = multicastFilterProgram()
  t.equal(run(prog, udpFrame('239.1.2.3'), PACKET_OUTGOING), 0, 'our own injections (outgoing)')
  t.equal(run(prog, udpFrame('10.244.1.12'), PACKET_HOST), 0, 'unicast')
  t.equal(run(prog, udpFrame('223.255.255.255'), PACKET_HOST), 0, 'just below 224/4')
  t.equal(run(prog, udpFrame('240.0.0.1'), PACKET_HOST), 0, '240/4 (reserved)')
  t.equal(run(prog, udpFrame('255.255.255.255'), PACKET_HOST), 0, 'limited broadcast')
  t.equal(run(prog, udpFrame('239.1.2.3', 0x0806), PACKET_MULTICAST), 0, 'ARP')
  t.equal(run(prog, udpFrame('239.1.2.3', 0x86dd, 6), PACKET_MULTICAST), 0, 'IPv6')
  t.equal(run(prog, udpFrame('239.1.2.3', 0x0800, 6), PACKET_MULTICAST), 0, 'IPv4 EtherType, version 6')
  t.equal(run(prog, IGMP_FRAME.subarray(0, 20), PACKET_MULTICAST), 0, 'truncated before the destination')
})

t.test('encoded as struct sock_filter[] (u16 code, u8 jt, u8 jf, u32 k, host order)', async (t) => {
  const prog = multicastFilterProgram()
  const bytes = encodeBpfProgram(prog)
  t.equal(bytes.length, prog.length * 8)
  t.equal(bytes.subarray(0, 8).toString('hex'), '2000000004f0ffff', 'ld [SKF_AD_OFF + SKF_AD_PKTTYPE]')
  t.equal(bytes.subarray(bytes.length - 8).toString('hex'), '0600000000000000', 'ret #0')
  for (const [i, x] of prog.entries()) {
    if (x.code === BPF.JEQ_K || x.code === BPF.JGT_K ||
      x.code === BPF.JGE_K) t.ok(i + 1 + Math.max(x.jt, x.jf) < prog.length, `jump ${i} stays inside`)
  }
  t.ok(prog.length <= 256)
})
