// Renders every template in templates/ (and every chat_template found under the shared
// fixtures dir) with the conversations of cases.json through the reference engine,
// @huggingface/jinja, passing the variables transformers.js passes. Writes JSON goldens
// for chat_template_test.cpp. Usage: node render_goldens.mjs CASES TEMPLATES_DIR SHARED_DIR OUT
import { Template } from "@huggingface/jinja";
import fs from "node:fs";
import path from "node:path";
import { randomContext, randomTemplates } from "./random_templates.mjs";

const [casesPath, templatesDir, sharedDir, outPath] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));
const SPECIAL = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

function tokenText(v) {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof v.content === "string") return v.content;
  return undefined;
}

function render(source, config, messages, addGenerationPrompt, tools) {
  const context = { messages, add_generation_prompt: addGenerationPrompt, tools: tools ?? null, documents: null };
  for (const key of SPECIAL) {
    const text = config[key] === undefined ? undefined : tokenText(config[key]);
    if (text !== undefined) context[key] = text;
  }
  try {
    return { output: new Template(source).render(context) };
  } catch (e) {
    return { error: String(e && e.message !== undefined ? e.message : e) };
  }
}

const sources = [];
for (const name of fs.readdirSync(templatesDir).sort()) {
  if (name.endsWith(".jinja"))
    sources.push({ id: name, file: path.join(templatesDir, name), config: cases.config });
}
// Real chat templates from the shared fixtures (never copied into the project).
for (const group of ["tokenizers", "models"]) {
  const dir = path.join(sharedDir, group);
  if (!fs.existsSync(dir)) continue;
  for (const model of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, model, "tokenizer_config.json");
    if (!fs.existsSync(file)) continue;
    const config = JSON.parse(fs.readFileSync(file, "utf8"));
    if (typeof config.chat_template === "string")
      sources.push({ id: `${group}/${model}`, file, config, shared: true });
  }
}

const out = { goldens: [], errors: [], random: [] };
for (const src of sources) {
  const source = src.shared ? src.config.chat_template : fs.readFileSync(src.file, "utf8");
  for (const [conv, messages] of Object.entries(cases.conversations)) {
    for (const agp of [false, true]) {
      const withTools = conv === "tool_round" ? [null, cases.tools] : [null];
      for (const tools of withTools) {
        out.goldens.push({
          template: src.id, file: src.file, shared: !!src.shared, conversation: conv,
          add_generation_prompt: agp, tools, ...render(source, src.config, messages, agp, tools),
        });
      }
    }
  }
}
for (const e of cases.errors) {
  out.errors.push({ name: e.name, template: e.template, ...render(e.template, cases.config, cases.conversations.basic, false, null) });
}
out.random_context = randomContext;
// CHAT_RANDOM_SEED / CHAT_RANDOM_COUNT explore other draws (the test's default is fixed).
const seed = Number(process.env.CHAT_RANDOM_SEED || 20261126);
const count = Number(process.env.CHAT_RANDOM_COUNT || 3000);
out.random = randomTemplates(count, seed).map((template) => {
  try {
    return { template, output: new Template(template).render(randomContext) };
  } catch (e) {
    return { template, error: String(e && e.message !== undefined ? e.message : e) };
  }
});
fs.writeFileSync(outPath, JSON.stringify(out, null, 1));
