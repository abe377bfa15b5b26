// Runs one task through the real @huggingface/inference client against an endpoint URL and
// prints the answer as JSON. Usage: node inference_client.mjs ENDPOINT_URL TOKEN TASK INPUT
import { InferenceClient } from "@huggingface/inference";

const [endpointUrl, token, task, input] = process.argv.slice(2);
const client = new InferenceClient(token, { endpointUrl });
let out;
if (task === "text-classification") out = await client.textClassification({ inputs: input });
else if (task === "fill-mask") out = await client.fillMask({ inputs: input });
else if (task === "token-classification") out = await client.tokenClassification({ inputs: input });
else if (task === "feature-extraction") out = await client.featureExtraction({ inputs: input });
else if (task === "text-generation")
  out = await client.textGeneration({ inputs: input, parameters: { max_new_tokens: 50 } });
else if (task === "text-generation-stream") {
  let text = "";
  for await (const chunk of client.textGenerationStream({ inputs: input, parameters: { max_new_tokens: 50 } }))
    text += chunk.token?.text ?? chunk.choices?.[0]?.text ?? "";
  out = { streamed_text: text };
} else throw new Error(`task ${task} not wired in this script`);
console.log(JSON.stringify(out));
