// Parses PromQL with Prometheus' own grammar (the one its web UI uses) and lists the series
// selectors of an expression, so alerts, dashboards and autoscalers can be checked against the
// metrics the apps export.
import { parser } from '@prometheus-io/lezer-promql';

export interface Selector {
  metric: string;
  labels: string[];
}

export interface ParsedPromql {
  /** False when the grammar found a syntax error anywhere in the expression. */
  ok: boolean;
  selectors: Selector[];
}

export function parsePromql(expr: string): ParsedPromql {
  const tree = parser.parse(expr);
  let ok = expr.trim().length > 0;
  const selectors: Selector[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) ok = false;
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const name = node.getChild('Identifier');
      const matchers = node.getChild('LabelMatchers');
      const labels = (matchers ? [...matchers.getChildren('UnquotedLabelMatcher'), ...matchers.getChildren('QuotedLabelMatcher')] : [])
        .map((m) => m.getChild('LabelName'))
        .filter((n) => n !== null)
        .map((n) => expr.slice(n.from, n.to));
      selectors.push({ metric: name ? expr.slice(name.from, name.to) : '', labels });
    },
  });
  return { ok, selectors };
}
