/**
 * Kubernetes objects (parsed YAML/JSON, or API responses) to the validated model, checking what
 * the API server's validation checks for the fields NetworkPolicy reads
 * (pkg/apis/networking/validation ValidateNetworkPolicySpec, metav1 ValidateLabelSelector):
 * selector operators and values, policyTypes, ipBlock CIDRs with except strictly inside the CIDR
 * and not combined with selectors, protocols, port numbers and IANA service names, endPort.
 * The first problem throws a ManifestError naming the object and the field; the files source
 * keeps its previous snapshot then, so a bad edit never opens or closes the network silently.
 *
 * Defaulting as the API server does: protocol TCP; effective policyTypes (S2: Ingress always,
 * Egress when egress rules exist, unless policyTypes is given); namespaces get the label
 * kubernetes.io/metadata.name (S10).
 */
import { isIPv6 } from 'node:net'
import { ManifestError } from './errors'
import { tryParseIPv4Address } from '../lib'
import { parseIPv4CIDR } from './ipv4-intervals'
import type {
  ContainerPort, IPBlock, Labels, LabelSelector, LabelSelectorRequirement, Namespace, NetworkPolicy,
  NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, Pod, Protocol,
} from './model'
import { NAMESPACE_NAME_LABEL } from './model'

type Obj = Record<string, unknown>

/** Bounds that keep a hostile manifest from costing more than a real cluster would. */
const MAX_LIST = 10_000
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
/** IANA_SVC_NAME (validation.IsValidPortName): 1-15 of [a-z0-9-], a letter, no "--", no edge '-'. */
const PORT_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/

export type ParsedObject =
  | { kind: 'Namespace'; value: Namespace }
  | { kind: 'Pod'; value: Pod }
  | { kind: 'NetworkPolicy'; value: NetworkPolicy }

/**
 * One document: a Namespace, Pod, NetworkPolicy, or a List (v1 List or any *List) of them.
 * Other kinds are ignored (a directory may hold Services too); returns their count as `ignored`.
 */
export function parseManifest (raw: unknown, where: string): { objects: ParsedObject[]; ignored: number } {
  const out: ParsedObject[] = []
  let ignored = 0
  const visit = (doc: unknown, at: string, depth: number): void => {
    if (doc === null || doc === undefined) return
    const o = obj(doc, at, '')
    const kind = o.kind
    if (typeof kind === 'string' && kind.endsWith('List')) {
      if (depth > 0) throw new ManifestError(at, 'kind', 'a List inside a List is not allowed')
      const items = o.items ?? []
      if (!Array.isArray(items) || items.length > MAX_LIST) {
        throw new ManifestError(at, 'items',
        `must be a list of at most ${MAX_LIST} objects`)
      }
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length)
      items.forEach((item, i) => {
        const withKind = itemKind !== undefined &&
        (item as Obj | null)?.kind === undefined
          ? { ...(item as Obj), kind: itemKind }
          : item
        visit(withKind, `${at} items[${i}]`, depth + 1)
      })
      return
    }
    if (kind === 'Namespace') out.push({ kind, value: parseNamespace(o) })
    else if (kind === 'Pod') out.push({ kind, value: parsePod(o) })
    else if (kind === 'NetworkPolicy') out.push({ kind, value: parseNetworkPolicy(o) })
    else ignored++
  }
  visit(raw, where, 0)
  return { objects: out, ignored }
}

export function parseNamespace (o: Obj): Namespace {
  const meta = metadata(o, false)
  const labels = { ...meta.labels }
  // S10: the API server sets this immutable label; a files source must synthesise it.
  labels[NAMESPACE_NAME_LABEL] = meta.name
  return { name: meta.name, labels }
}

export function parsePod (o: Obj): Pod {
  const meta = metadata(o, true)
  const id = `pod ${meta.namespace}/${meta.name}`
  const spec = obj(o.spec ?? {}, id, 'spec')
  const ports: ContainerPort[] = []
  const containers = spec.containers ?? []
  if (!Array.isArray(containers) || containers.length > 1000) {
    throw new ManifestError(id, 'spec.containers',
      'must be a list')
  }
  containers.forEach((c, i) => {
    const co = obj(c, id, `spec.containers[${i}]`)
    const list = co.ports ?? []
    if (!Array.isArray(list) || list.length > 1000) {
      throw new ManifestError(id, `spec.containers[${i}].ports`,
        'must be a list')
    }
    list.forEach((p, j) => {
      const field = `spec.containers[${i}].ports[${j}]`
      const po = obj(p, id, field)
      const containerPort = po.containerPort
      if (!isPort(containerPort)) {
        throw new ManifestError(id, `${field}.containerPort`,
        `${JSON.stringify(containerPort)}: must be an integer 1-65535`)
      }
      const protocol = protocolOf(po.protocol, id, `${field}.protocol`)
      const name = po.name
      if (name !== undefined && (typeof name !== 'string' || !isPortName(name))) {
        throw new ManifestError(id, `${field}.name`,
          `${JSON.stringify(name)}: must be an IANA service name (1-15 lower-case letters, digits, '-')`)
      }
      ports.push({ containerPort, protocol, ...(name !== undefined ? { name } : {}) })
    })
  })
  const status = obj(o.status ?? {}, id, 'status')
  const ips: string[] = []
  const podIPs = status.podIPs
  if (Array.isArray(podIPs)) {
    for (const entry of podIPs.slice(0, 8)) {
      const ip = (entry as Obj | null)?.ip
      if (typeof ip === 'string' && tryParseIPv4Address(ip) !== undefined && !ips.includes(ip)) ips.push(ip)
    }
  } else if (typeof status.podIP === 'string' && tryParseIPv4Address(status.podIP) !== undefined) ips.push(status.podIP)
  const nodeName = spec.nodeName
  return {
    namespace: meta.namespace,
    name: meta.name,
    labels: meta.labels,
    ports,
    ips,
    hostNetwork: spec.hostNetwork === true,
    ...(typeof nodeName === 'string' && nodeName !== '' ? { nodeName } : {}),
  }
}

export function parseNetworkPolicy (o: Obj): NetworkPolicy {
  const meta = metadata(o, true)
  const id = `networkpolicy ${meta.namespace}/${meta.name}`
  const spec = obj(o.spec ?? {}, id, 'spec')
  const podSelector = selector(spec.podSelector ?? {}, id, 'spec.podSelector')
  const ingress = rules(spec.ingress, id, 'spec.ingress', 'from')
  const egress = rules(spec.egress, id, 'spec.egress', 'to')
  let policyTypes: Array<'Ingress' | 'Egress'>
  if (spec.policyTypes === undefined || spec.policyTypes === null) {
    policyTypes = egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']
  } else {
    if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length > 2) {
      throw new ManifestError(id, 'spec.policyTypes',
        'must be a list of at most two of Ingress, Egress')
    }
    policyTypes = []
    spec.policyTypes.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') {
        throw new ManifestError(id, `spec.policyTypes[${i}]`,
        `${JSON.stringify(t)}: must be Ingress or Egress`)
      }
      if (policyTypes.includes(t)) throw new ManifestError(id, `spec.policyTypes[${i}]`, `${t} given twice`)
      policyTypes.push(t)
    })
  }
  return { namespace: meta.namespace, name: meta.name, podSelector, policyTypes, ingress, egress }
}

function rules (raw: unknown, id: string, field: string, peersKey: 'from' | 'to'): NetworkPolicyRule[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw) || raw.length > MAX_LIST) throw new ManifestError(id, field, 'must be a list')
  return raw.map((r, i) => {
    const ro = obj(r ?? {}, id, `${field}[${i}]`)
    const peersRaw = ro[peersKey] ?? []
    const portsRaw = ro.ports ?? []
    if (!Array.isArray(peersRaw) || peersRaw.length > MAX_LIST) {
      throw new ManifestError(id,
      `${field}[${i}].${peersKey}`, 'must be a list')
    }
    if (!Array.isArray(portsRaw) || portsRaw.length > MAX_LIST) {
      throw new ManifestError(id, `${field}[${i}].ports`,
        'must be a list')
    }
    return {
      peers: peersRaw.map((p, j) => peer(p, id, `${field}[${i}].${peersKey}[${j}]`)),
      ports: portsRaw.map((p, j) => port(p, id, `${field}[${i}].ports[${j}]`)),
    }
  })
}

function peer (raw: unknown, id: string, field: string): NetworkPolicyPeer {
  const o = obj(raw, id, field)
  const has = (k: string): boolean => o[k] !== undefined && o[k] !== null
  if (has('ipBlock')) {
    if (has('podSelector') || has('namespaceSelector')) {
      throw new ManifestError(id, field, 'ipBlock may not be combined with podSelector or namespaceSelector')
    }
    return { ipBlock: ipBlock(o.ipBlock, id, `${field}.ipBlock`) }
  }
  if (!has('podSelector') && !has('namespaceSelector')) {
    throw new ManifestError(id, field, 'must specify one of podSelector, namespaceSelector, ipBlock')
  }
  return {
    ...(has('podSelector') ? { podSelector: selector(o.podSelector, id, `${field}.podSelector`) } : {}),
    ...(has('namespaceSelector')
      ? {
          namespaceSelector: selector(o.namespaceSelector, id, `${field}.namespaceSelector`)
        }
      : {}),
  }
}

function ipBlock (raw: unknown, id: string, field: string): IPBlock {
  const o = obj(raw, id, field)
  const cidr = o.cidr
  if (typeof cidr !== 'string' || cidrOf(cidr) === undefined) {
    throw new ManifestError(id, `${field}.cidr`, `${JSON.stringify(cidr)}: must be a CIDR such as 10.0.0.0/8`)
  }
  const base = cidrOf(cidr)
  const exceptRaw = o.except ?? []
  if (!Array.isArray(exceptRaw) || exceptRaw.length > MAX_LIST) {
    throw new ManifestError(id, `${field}.except`,
      'must be a list')
  }
  const except = exceptRaw.map((e, i) => {
    const f = `${field}.except[${i}]`
    const c = typeof e === 'string' ? cidrOf(e) : undefined
    if (c === undefined) throw new ManifestError(id, f, `${JSON.stringify(e)}: must be a CIDR`)
    if (base !== undefined && base.v4 !== c.v4) {
      throw new ManifestError(id, f,
      `${e} is not of the same address family as ${cidr}`)
    }
    // The API server: every except must be strictly within cidr.
    if (c.v4 && base !== undefined && base.first !== undefined && c.first !== undefined &&
        (c.first < base.first || c.last > base.last || (c.first === base.first && c.last === base.last))) {
      throw new ManifestError(id, f, `${e} must be strictly within ${cidr}`)
    }
    return e as string
  })
  return { cidr, except }
}

/** IPv4 gives its interval; IPv6 is accepted (the API does) but carries none: v4 overlay. */
function cidrOf (text: string): { v4: boolean; first?: number; last: number } | undefined {
  const v4 = parseIPv4CIDR(text)
  if (v4 !== undefined) return { v4: true, first: v4.first, last: v4.last }
  const [addr, len] = text.split('/')
  if (len !== undefined && /^\d{1,3}$/.test(len) && Number(len) <= 128 && isIPv6(addr)) return { v4: false, last: 0 }
  return undefined
}

function port (raw: unknown, id: string, field: string): NetworkPolicyPort {
  const o = obj(raw, id, field)
  const protocol = protocolOf(o.protocol, id, `${field}.protocol`)
  const p = o.port
  if (p === undefined || p === null) {
    if (o.endPort !== undefined && o.endPort !== null) {
      throw new ManifestError(id, `${field}.endPort`,
        'may not be given without port')
    }
    return { protocol }
  }
  if (typeof p === 'string') {
    if (/^\d+$/.test(p)) {
      throw new ManifestError(id, `${field}.port`,
      `${JSON.stringify(p)}: a number must not be quoted`)
    }
    if (!isPortName(p)) {
      throw new ManifestError(id, `${field}.port`,
      `${JSON.stringify(p)}: must be a port number or an IANA service name`)
    }
    if (o.endPort !== undefined && o.endPort !== null) {
      throw new ManifestError(id, `${field}.endPort`,
        'may not be given with a named port')
    }
    return { protocol, port: p }
  }
  if (!isPort(p)) throw new ManifestError(id, `${field}.port`, `${JSON.stringify(p)}: must be an integer 1-65535`)
  const end = o.endPort
  if (end === undefined || end === null) return { protocol, port: p }
  if (!isPort(end)) {
    throw new ManifestError(id, `${field}.endPort`,
    `${JSON.stringify(end)}: must be an integer 1-65535`)
  }
  if (end < p) throw new ManifestError(id, `${field}.endPort`, `${end}: must be >= port (${p})`)
  return { protocol, port: p, endPort: end }
}

function protocolOf (raw: unknown, id: string, field: string): Protocol {
  if (raw === undefined || raw === null) return 'TCP'
  if (raw === 'TCP' || raw === 'UDP' || raw === 'SCTP') return raw
  throw new ManifestError(id, field, `${JSON.stringify(raw)}: must be TCP, UDP or SCTP`)
}

export function selector (raw: unknown, id: string, field: string): LabelSelector {
  const o = obj(raw ?? {}, id, field)
  const matchLabels = labelsAt(o.matchLabels, id, `${field}.matchLabels`)
  const exprRaw = o.matchExpressions ?? []
  if (!Array.isArray(exprRaw) || exprRaw.length > 100) {
    throw new ManifestError(id, `${field}.matchExpressions`,
      'must be a list')
  }
  const matchExpressions: LabelSelectorRequirement[] = exprRaw.map((e, i) => {
    const f = `${field}.matchExpressions[${i}]`
    const eo = obj(e, id, f)
    const key = eo.key
    if (typeof key !== 'string' || !isLabelName(key)) {
      throw new ManifestError(id, `${f}.key`,
      `${JSON.stringify(key)}: must be a label key`)
    }
    const op = eo.operator
    const values = eo.values ?? []
    if (!Array.isArray(values) || values.length > 1000 ||
      !values.every((v) => typeof v === 'string' && LABEL_VALUE.test(v) && v.length <= 63)) {
      throw new ManifestError(id, `${f}.values`, 'must be a list of label values')
    }
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) throw new ManifestError(id, `${f}.values`, `must be non-empty when operator is ${op}`)
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) throw new ManifestError(id, `${f}.values`, `must be empty when operator is ${op}`)
    } else {
      throw new ManifestError(id, `${f}.operator`, `${JSON.stringify(op)}: must be In, NotIn, Exists or DoesNotExist`)
    }
    return { key, operator: op, values: values as string[] }
  })
  return { matchLabels, matchExpressions }
}

function metadata (o: Obj, namespaced: boolean): { name: string; namespace: string; labels: Labels } {
  const kind = String(o.kind ?? 'object')
  const meta = obj(o.metadata ?? {}, kind, 'metadata')
  const name = meta.name
  if (typeof name !== 'string' ||
    !(namespaced && kind !== 'Namespace' ? DNS1123_SUBDOMAIN : DNS1123_LABEL).test(name) || name.length > 253) {
    throw new ManifestError(kind, 'metadata.name', `${JSON.stringify(name)}: must be a DNS-1123 name`)
  }
  let namespace = ''
  if (namespaced) {
    const ns = meta.namespace ?? 'default'
    if (typeof ns !== 'string' || !DNS1123_LABEL.test(ns) || ns.length > 63) {
      throw new ManifestError(`${kind} ${name}`, 'metadata.namespace',
        `${JSON.stringify(ns)}: must be a DNS-1123 label`)
    }
    namespace = ns
  }
  const labels = labelsAt(meta.labels, `${kind} ${namespace === '' ? '' : `${namespace}/`}${name}`, 'metadata.labels')
  return { name, namespace, labels }
}

function labelsAt (raw: unknown, id: string, field: string): Labels {
  if (raw === undefined || raw === null) return {}
  const o = obj(raw, id, field)
  const out: Record<string, string> = {}
  const keys = Object.keys(o)
  if (keys.length > 1000) throw new ManifestError(id, field, 'too many labels')
  for (const k of keys) {
    const v = o[k]
    if (!isLabelName(k)) throw new ManifestError(id, `${field}.${k}`, 'is not a valid label key')
    if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) {
      throw new ManifestError(id, `${field}.${k}`,
      `${JSON.stringify(v)}: must be a label value (string, at most 63 characters)`)
    }
    out[k] = v
  }
  return out
}

function isLabelName (k: string): boolean {
  const slash = k.lastIndexOf('/')
  const name = slash < 0 ? k : k.slice(slash + 1)
  return k.length <= 316 && name.length <= 63 && (slash < 0 || slash <= 253) && LABEL_NAME.test(k)
}

function isPortName (p: string): boolean {
  return PORT_NAME.test(p) && /[a-z]/.test(p) && !p.includes('--')
}

function isPort (p: unknown): p is number {
  return typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535
}

function obj (raw: unknown, id: string, field: string): Obj {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ManifestError(id, field,
      'must be an object')
  }
  return raw as Obj
}
