/**
 * Label selector evaluation (metav1.LabelSelector): every matchLabels pair must hold and every
 * matchExpressions requirement must hold; an empty selector selects everything.
 *
 * In: the label exists with one of the values. NotIn: the label is absent or has none of the
 * values. Exists / DoesNotExist: presence only. (k8s.io/apimachinery labels.Requirement.Matches.)
 */
import type { Labels, LabelSelector } from './model'

export function selectorMatches (selector: LabelSelector, labels: Labels): boolean {
  for (const key in selector.matchLabels) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== selector.matchLabels[key]) return false
  }
  for (const req of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key)
    switch (req.operator) {
      case 'In':
        if (!has || !req.values.includes(labels[req.key])) return false
        break
      case 'NotIn':
        if (has && req.values.includes(labels[req.key])) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
    }
  }
  return true
}

export function isEmptySelector (selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0
}

/** A short human form for status and comments: "pod=a,tier in (x,y)"; "{}" when empty. */
export function formatSelector (selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`)
  for (const r of selector.matchExpressions) {
    if (r.operator === 'Exists') parts.push(r.key)
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`)
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(',')})`)
  }
  return parts.length === 0 ? '{}' : parts.join(',')
}
