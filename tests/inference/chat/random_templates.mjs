// Random templates for the differential test: expressions, statements and whitespace
// control drawn from a seeded generator, rendered by both engines (render_goldens.mjs).
let seed = 1;
function rnd(n) { seed = (seed * 48271) % 2147483647; return seed % n; }
const atoms = ["x", "s", "n", "f", "l", "d", "e", "none", "true", "false", "1", "0", "-2", "2.5", "0.0", "'a'", "''", "'A b'", "[1, 2, 3]", "[]", "{'k': 1}", "{}", "ns", "messages", "messages[0]", "l[1:]", "l[::-1]", "s[1]", "d.k", "d['k']", "x.y", "missing", "(1, 2)", "loop"];
// No `**` (V8's pow and glibc's differ in the last digit for fractional powers), no `%`
// or `//` (JavaScript integers can be -0 or NaN; ours cannot): templates/ covers them.
const bins = ["+", "-", "*", "/", "~", "==", "!=", "<", ">", "<=", ">=", "and", "or", "in", "not in"];
const filters = ["trim", "upper", "lower", "title", "capitalize", "length", "first", "last", "join", "join(',')", "default('z')", "replace('a','b')", "string", "int", "float", "list", "items", "abs", "reverse", "sort", "unique", "tojson", "tojson(indent=2)", "safe", "indent", "dictsort", "length > 0"];
const tests = ["defined", "none", "string", "mapping", "iterable", "number", "true", "false", "odd", "even", "integer", "boolean", "sequence", "undefined", "lower", "upper"];
const methods = ["strip()", "upper()", "lower()", "split()", "split(',')", "startswith('a')", "endswith('b')", "replace('a', 'c')", "get('k')", "get('q', 2)", "items()", "keys()", "values()", "title()", "lstrip()", "rstrip()", "length"];
function expr(depth = 0) {
  const r = rnd(10);
  if (depth > 2 || r < 3) return atoms[rnd(atoms.length)];
  if (r < 5) return `${expr(depth + 1)} ${bins[rnd(bins.length)]} ${expr(depth + 1)}`;
  if (r < 6) return `${expr(depth + 1)} | ${filters[rnd(filters.length)]}`;
  if (r < 7) return `${expr(depth + 1)} is ${rnd(2) ? "not " : ""}${tests[rnd(tests.length)]}`;
  if (r < 8) return `${atoms[rnd(atoms.length)]}.${methods[rnd(methods.length)]}`;
  if (r < 9) return `(${expr(depth + 1)} if ${expr(depth + 1)} else ${expr(depth + 1)})`;
  return `not ${expr(depth + 1)}`;
}
// Typed generators: expressions likely to render, so outputs (not just errors) compare.
const sAtoms = ["x", "s", "'a'", "'A b'", "''", "s[1]", "d.k", "messages[0].role", "messages[0]['content']", "'x\\ny\\n\\nz'", "' é日本 '"];
const sFilters = ["trim", "upper", "lower", "title", "capitalize", "replace('a', 'b')", "replace('', '-', 2)", "indent(2)", "indent(1, true, true)", "tojson", "string", "join('.')", "default('q')"];
const sMethods = ["strip()", "lstrip()", "rstrip()", "upper()", "lower()", "title()", "replace('b', 'B')", "split(',') | join('|')", "split() | join('_')", "split('b', 1) | join('+')"];
function sexpr(depth = 0) {
  const r = rnd(12);
  if (depth > 2 || r < 3) return sAtoms[rnd(sAtoms.length)];
  if (r < 4) return `${sexpr(depth + 1)} ~ ${sexpr(depth + 1)}`;
  if (r < 5) return `(${sexpr(depth + 1)} + ${rnd(2) ? sexpr(depth + 1) : nexpr(depth + 1)})`;
  if (r < 7) return `${sexpr(depth + 1)} | ${sFilters[rnd(sFilters.length)]}`;
  if (r < 8) return `(${sexpr(depth + 1)}).${sMethods[rnd(sMethods.length)]}`;
  if (r < 9) return `(${sexpr(depth + 1)} if ${cond(depth + 1)} else ${sexpr(depth + 1)})`;
  if (r < 10) return `${sexpr(depth + 1)}[${["1:", ":-1", "::-1", "1:3", "::2", "-2:"][rnd(6)]}]`;
  if (r < 11) return `${nexpr(depth + 1)} ~ ${sexpr(depth + 1)}`;
  return `${nexpr(depth + 1)} | string`;
}
function nexpr(depth = 0) {
  const r = rnd(10);
  const atomsN = ["n", "f", "1", "2.5", "-2", "0", "7", "l[0]", "l | length", "d.z", "0.1"];
  if (depth > 2 || r < 4) return atomsN[rnd(atomsN.length)];
  if (r < 7) return `(${nexpr(depth + 1)} ${["+", "-", "*", "/"][rnd(4)]} ${nexpr(depth + 1)})`;
  if (r < 8) return `${sexpr(depth + 1)} | length`;
  if (r < 9) return `${nexpr(depth + 1)} | ${["abs", "float", "string | length"][rnd(3)]}`;  // not int: NaN|int is JS-only
  return `(${nexpr(depth + 1)} if ${cond(depth + 1)} else ${nexpr(depth + 1)})`;
}
function cond(depth = 0) {
  const r = rnd(9);
  if (depth > 2 || r < 2) return `${sexpr(depth + 1)} == ${sexpr(depth + 1)}`;
  if (r < 3) return `${nexpr(depth + 1)} ${["<", ">", "<=", ">=", "==", "!="][rnd(6)]} ${nexpr(depth + 1)}`;
  if (r < 4) return `'a' in ${sexpr(depth + 1)}`;
  if (r < 5) return `${sexpr(depth + 1)} is ${["string", "defined", "none", "number"][rnd(4)]}`;
  if (r < 6) return `(${sexpr(depth + 1)}).startswith('A')`;
  if (r < 7) return `not ${cond(depth + 1)}`;
  if (r < 8) return `${nexpr(depth + 1)} is ${["odd", "even", "number", "integer"][rnd(4)]}`;
  return `(${cond(depth + 1)} ${rnd(2) ? "and" : "or"} ${cond(depth + 1)})`;
}

function stmt(depth = 0) {
  if (rnd(2)) {
    const r = rnd(6);
    if (r < 2) return `[{{ ${sexpr()} }}]`;
    if (r < 3) return `[{{ ${nexpr()} }}]`;
    if (r < 4) return `{% if ${cond()} %}T{{ ${sexpr()} }}{% else %}F{% endif %}`;
    if (r < 5) return `{% for c in (${sexpr()}).split(' ') if c %}<{{ loop.index }}{{ c }}{{ loop.last }}>{% endfor %}`;
    return `{% set ns.v = ${sexpr()} %}{% set ns.w = ns.v ~ ${nexpr()} %}{{ ns.w | tojson }}`;
  }
  const r = rnd(9);
  if (depth > 2 || r < 3) return `{{ ${expr()} }}`;
  if (r < 4) return `{% if ${expr()} %}${stmt(depth + 1)}{% elif ${expr()} %}B{% else %}${stmt(depth + 1)}{% endif %}`;
  if (r < 5) return `{% for i in ${expr()} %}[{{ loop.index }}{{ i }}${stmt(depth + 1)}]{% else %}E{% endfor %}`;
  if (r < 6) return `{% set ns.v = ${expr()} %}{{ ns.v }}`;
  if (r < 7) return `{% set x = ${expr()} %}{{ x }}`;
  if (r < 8) return ` \n  {%- if ${expr()} -%}\n  T\n{% endif %}\n  `;
  if (r < 9 && rnd(2)) return `{% for k, v in ${expr()} %}{{ k }}={{ v }};{% endfor %}`;
  const ws = [" ", "\n", "  \n", "\t", "\n\n  ", ""];
  const w = () => ws[rnd(ws.length)];
  const forms = [
    () => `${w()}{#- c -#}${w()}`, () => `${w()}{{- ${expr()} -}}${w()}`, () => `${w()}{% if ${expr()} %}${w()}X${w()}{% endif %}${w()}`,
    () => `${w()}{%- generation -%}${w()}G${w()}{% endgeneration %}${w()}`, () => `${w()}{# c #}${w()}`, () => `${w()}{{ ${expr()} -}}${w()}`,
    () => `${w()}{%- for q in [1, 2] %}${w()}{{ q }}${w()}{%- endfor %}${w()}`, () => `${w()}{% set y = 1 -%}${w()}`,
  ];
  return forms[rnd(forms.length)]() + forms[rnd(forms.length)]();
}
export const randomContext = { x: "hello", s: " Ab,c ", n: 3, f: 1.5, l: [3, 1, 2], d: { k: "v", z: 2 }, e: [], messages: [{ role: "user", content: "hi" }] };
export function randomTemplates(count, startSeed) {
  seed = startSeed;
  const out = [];
  for (let i = 0; i < count; i++) out.push("{% set ns = namespace(v=0) %}" + stmt() + stmt());
  return out;
}
