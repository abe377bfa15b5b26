// Runs the "js" cases of inference_tasks_ref.py's *.cases.json files through the real
// @huggingface/inference client, each pointed at its hubd endpoint (endpointUrl is used
// verbatim: /models/{repo}[route]), and prints [{name, got | error}] as JSON.
// Usage: node inference_tasks_client.mjs BASE_URL TOKEN NAMESPACE CASES_JSON...
import { readFileSync } from "node:fs";
import { InferenceClient } from "@huggingface/inference";

const [base, token, ns, ...files] = process.argv.slice(2);
const results = [];
for (const file of files) {
  for (const c of JSON.parse(readFileSync(file, "utf8")).js) {
    const client = new InferenceClient(token, { endpointUrl: `${base}/models/${ns}/${c.repo}${c.route}` });
    try {
      results.push({ name: c.name, got: await client[c.method](c.args) });
    } catch (e) {
      results.push({ name: c.name, error: String(e?.message ?? e) });
    }
  }
}
console.log(JSON.stringify(results));
