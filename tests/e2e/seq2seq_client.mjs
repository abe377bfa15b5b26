// The real @huggingface/inference client's translation and summarization against hubd's
// pipeline endpoints (endpointUrl is used verbatim). Prints {translation, summarization,
// errors} as JSON. Usage: node seq2seq_client.mjs BASE_URL TOKEN REPO_PATH
import { InferenceClient } from "@huggingface/inference";

const [base, token, repo] = process.argv.slice(2);
const out = {};
const at = (task) => new InferenceClient(token, { endpointUrl: `${base}/models/${repo}/pipeline/${task}` });
try {
  out.translation = await at("translation").translation({ inputs: "The house is small." });
  out.summarization = await at("summarization").summarization({
    inputs: "The tower is 324 metres tall, about the same height as an 81-storey building.",
    parameters: { max_length: 12 },
  });
} catch (e) {
  out.error = String(e?.message ?? e);
}
console.log(JSON.stringify(out));
