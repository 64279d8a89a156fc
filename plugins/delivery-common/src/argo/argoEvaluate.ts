/**
 * What Argo Rollouts does with a `web` metric provider's response, replayed
 * in TypeScript for the subset of syntax Assay documents (argo-rollouts
 * `metricproviders/webmetric/webmetric.go` → `parseResponse`, `getValue`;
 * `utils/evaluate/evaluate.go` → `EvaluateResult`, `EvalCondition`; read at
 * commit 9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d):
 *
 * 1. The body is decoded as JSON (Go `encoding/json` into `any`). If it is
 *    not JSON, the raw string is the result.
 * 2. `jsonPath` (default `{$}`) is a Kubernetes JSONPath template
 *    (`k8s.io/client-go/util/jsonpath`); the FIRST value it yields is the
 *    result; no value → error "result of web metric produced no value"; a
 *    missing key → error "<key> is not found".
 * 3. `successCondition` / `failureCondition` are expr-lang expressions with
 *    `result` bound to that value (missing map keys read as nil). Only a
 *    success condition: not true → Failed. Only a failure condition: not true
 *    → Successful. Both: failure true → Failed, success true → Successful,
 *    neither → Inconclusive. Neither given → Successful. Evaluation errors →
 *    Error.
 *
 * Supported JSONPath: `$`, `.field`, `['field']`, `[n]`, `[*]`. Supported
 * expressions: literals (numbers, strings, true, false, nil), `result`,
 * member and index access, `! not - + * /`, comparisons, `&& || and or`,
 * parentheses, `asInt()`, `asFloat()`, `isNaN()`, `isInf()`.
 */

/** Argo's measurement phases. @public */
export type ArgoMeasurementPhase =
  | 'Successful'
  | 'Failed'
  | 'Inconclusive'
  | 'Error';

/** Kubernetes JSONPath (subset): every value the template selects. */
export function k8sJsonPath(data: unknown, template: string): unknown[] {
  const m = /^\{(.*)\}$/.exec(template.trim());
  if (!m) throw new Error(`unsupported jsonPath template "${template}"`);
  let expr = m[1].trim();
  if (expr.startsWith('$')) expr = expr.slice(1);
  let current: unknown[] = [data];
  const re =
    /^(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*(-?\d+)\s*\]|\[\s*\*\s*\]|\.\*)/;
  while (expr.length) {
    const t = re.exec(expr);
    if (!t) throw new Error(`unsupported jsonPath syntax at "${expr}"`);
    expr = expr.slice(t[0].length);
    const key = t[1] ?? t[2] ?? t[3];
    const next: unknown[] = [];
    for (const v of current) {
      if (key !== undefined) {
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          if (!(key in (v as object))) throw new Error(`${key} is not found`);
          next.push((v as Record<string, unknown>)[key]);
        } else {
          throw new Error(`${key} is not found`);
        }
      } else if (t[4] !== undefined) {
        if (!Array.isArray(v)) throw new Error(`not an array: index ${t[4]}`);
        let i = Number(t[4]);
        if (i < 0) i += v.length;
        if (i < 0 || i >= v.length)
          throw new Error(
            `array index out of bounds: index ${t[4]}, length ${v.length}`,
          );
        next.push(v[i]);
      } else if (Array.isArray(v)) {
        next.push(...v);
      } else if (v && typeof v === 'object') {
        next.push(...Object.values(v as object));
      }
    }
    current = next;
  }
  return current;
}

type Token = { t: 'num' | 'str' | 'id' | 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([A-Za-z_]\w*)|(==|!=|<=|>=|&&|\|\||[<>!()+\-*/.[\],]))/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new Error(`unexpected token at ${src.slice(pos)}`);
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push({ t: 'num', v: m[1] });
    else if (m[2] !== undefined)
      out.push({ t: 'str', v: JSON.parse(`"${m[2]}"`) });
    else if (m[3] !== undefined)
      out.push({ t: 'str', v: m[3].replace(/\\'/g, "'") });
    else if (m[4] !== undefined) out.push({ t: 'id', v: m[4] });
    else out.push({ t: 'op', v: m[5] });
  }
  return out;
}

const FUNCS: Record<string, (v: unknown) => unknown> = {
  asInt: v => {
    const n = typeof v === 'string' ? Number.parseInt(v, 10) : Number(v);
    if (Number.isNaN(n)) throw new Error(`asInt() not supported on ${v}`);
    return Math.trunc(n);
  },
  asFloat: v => {
    const n = Number(v);
    if (typeof v !== 'number' && typeof v !== 'string')
      throw new Error(`asFloat() not supported on ${v}`);
    return n;
  },
  isNaN: v => typeof v === 'number' && Number.isNaN(v),
  isInf: v => v === Infinity || v === -Infinity,
};

function equal(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) {
    return (a ?? null) === (b ?? null);
  }
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a !== typeof b) return false;
  if (typeof a === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function ordered(op: string, a: unknown, b: unknown): boolean {
  const ok =
    (typeof a === 'number' && typeof b === 'number') ||
    (typeof a === 'string' && typeof b === 'string');
  if (!ok) throw new Error(`invalid operation: ${typeof a} ${op} ${typeof b}`);
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

function num(v: unknown, op: string): number {
  if (typeof v !== 'number')
    throw new Error(`invalid operation: ${op} on ${typeof v}`);
  return v;
}

/** Evaluates an expr-lang expression (subset) with `result` bound. */
export function evalArgoCondition(condition: string, result: unknown): unknown {
  const toks = tokenize(condition);
  let i = 0;
  const peek = () => toks[i];
  const isOp = (v: string) => peek()?.t === 'op' && peek().v === v;
  const isWord = (v: string) => peek()?.t === 'id' && peek().v === v;
  const expectOp = (v: string) => {
    if (!isOp(v)) throw new Error(`expected "${v}"`);
    i++;
  };
  const primary = (): unknown => {
    const tk = toks[i++];
    if (!tk) throw new Error('unexpected end of expression');
    if (tk.t === 'num') return Number(tk.v);
    if (tk.t === 'str') return tk.v;
    if (tk.t === 'op' && tk.v === '(') {
      const v = or();
      expectOp(')');
      return v;
    }
    if (tk.t === 'id') {
      if (tk.v === 'true') return true;
      if (tk.v === 'false') return false;
      if (tk.v === 'nil') return null;
      if (tk.v === 'result') return result;
      if (FUNCS[tk.v] && isOp('(')) {
        i++;
        const arg = or();
        expectOp(')');
        return FUNCS[tk.v](arg);
      }
      throw new Error(`unknown name ${tk.v}`);
    }
    throw new Error(`unexpected "${tk.v}"`);
  };
  const member = (v: unknown, key: unknown): unknown => {
    if (v === null || v === undefined)
      throw new Error(`cannot fetch ${String(key)} from nil`);
    if (Array.isArray(v)) {
      if (typeof key !== 'number')
        throw new Error(`cannot fetch ${String(key)} from array`);
      const idx = key < 0 ? v.length + key : key;
      if (idx < 0 || idx >= v.length)
        throw new Error(`index out of range: ${key}`);
      return v[idx];
    }
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.prototype.hasOwnProperty.call(o, String(key))
        ? o[String(key)]
        : null;
    }
    throw new Error(`cannot fetch ${String(key)} from ${typeof v}`);
  };
  const postfix = (): unknown => {
    let v = primary();
    for (;;) {
      if (isOp('.')) {
        i++;
        const name = toks[i++];
        if (!name || name.t !== 'id') throw new Error('expected a field name');
        v = member(v, name.v);
      } else if (isOp('[')) {
        i++;
        const key = or();
        expectOp(']');
        v = member(v, key);
      } else return v;
    }
  };
  const unary = (): unknown => {
    if (isOp('!') || isWord('not')) {
      i++;
      const v = unary();
      if (typeof v !== 'boolean')
        throw new Error('invalid operation: ! on non-bool');
      return !v;
    }
    if (isOp('-')) {
      i++;
      return -num(unary(), '-');
    }
    return postfix();
  };
  const mul = (): unknown => {
    let v = unary();
    while (isOp('*') || isOp('/')) {
      const op = toks[i++].v;
      const r = unary();
      v = op === '*' ? num(v, op) * num(r, op) : num(v, op) / num(r, op);
    }
    return v;
  };
  const add = (): unknown => {
    let v = mul();
    while (isOp('+') || isOp('-')) {
      const op = toks[i++].v;
      const r = mul();
      if (op === '+' && typeof v === 'string' && typeof r === 'string')
        v = v + r;
      else v = op === '+' ? num(v, op) + num(r, op) : num(v, op) - num(r, op);
    }
    return v;
  };
  const cmp = (): unknown => {
    let v = add();
    while (['==', '!=', '<', '<=', '>', '>='].some(isOp)) {
      const op = toks[i++].v;
      const r = add();
      if (op === '==') v = equal(v, r);
      else if (op === '!=') v = !equal(v, r);
      else v = ordered(op, v, r);
    }
    return v;
  };
  const and = (): unknown => {
    let v = cmp();
    while (isOp('&&') || isWord('and')) {
      i++;
      const r = cmp();
      if (typeof v !== 'boolean' || typeof r !== 'boolean')
        throw new Error('invalid operation: && on non-bool');
      v = v && r;
    }
    return v;
  };
  function or(): unknown {
    let v = and();
    while (isOp('||') || isWord('or')) {
      i++;
      const r = and();
      if (typeof v !== 'boolean' || typeof r !== 'boolean')
        throw new Error('invalid operation: || on non-bool');
      v = v || r;
    }
    return v;
  }
  const out = or();
  if (i !== toks.length) throw new Error(`unexpected "${toks[i].v}"`);
  return out;
}

/**
 * The measurement phase Argo Rollouts derives from a `web` provider response.
 * @public
 */
export function evaluateArgoWebMetric(
  body: string,
  metric: {
    jsonPath?: string;
    successCondition?: string;
    failureCondition?: string;
  },
): { phase: ArgoMeasurementPhase; value: string; message?: string } {
  let data: unknown;
  let result: unknown;
  let value: string;
  try {
    data = JSON.parse(body);
  } catch {
    data = undefined;
    result = body;
    value = body;
  }
  if (data !== undefined) {
    let all: unknown[];
    try {
      all = k8sJsonPath(data, metric.jsonPath || '{$}');
    } catch (e) {
      return {
        phase: 'Error',
        value: '',
        message: `Could not find JSONPath in body: ${(e as Error).message}`,
      };
    }
    if (all.length === 0) {
      return {
        phase: 'Error',
        value: '',
        message: 'result of web metric produced no value',
      };
    }
    result = all[0];
    value = JSON.stringify(result);
  }
  const evalBool = (kind: string, c: string): boolean | Error => {
    try {
      const out = evalArgoCondition(c, result);
      if (typeof out !== 'boolean')
        return new Error(
          `could not evaluate ${kind} "${c}": expected bool, but got ${typeof out}`,
        );
      return out;
    } catch (e) {
      return new Error(
        `could not evaluate ${kind} "${c}": ${(e as Error).message}`,
      );
    }
  };
  const { successCondition: sc, failureCondition: fc } = metric;
  let success = false;
  let failure = false;
  if (sc) {
    const r = evalBool('successCondition', sc);
    if (r instanceof Error)
      return { phase: 'Error', value: value!, message: r.message };
    success = r;
  }
  if (fc) {
    const r = evalBool('failureCondition', fc);
    if (r instanceof Error)
      return { phase: 'Error', value: value!, message: r.message };
    failure = r;
  }
  if (!sc && !fc) return { phase: 'Successful', value: value! };
  if (sc && !fc) failure = !success;
  if (!sc && fc) success = !failure;
  if (failure) return { phase: 'Failed', value: value! };
  if (!success) return { phase: 'Inconclusive', value: value! };
  return { phase: 'Successful', value: value! };
}
