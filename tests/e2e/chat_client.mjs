// Chat through the real @huggingface/inference client against hubd, and the independent
// references the chat test compares with: the prompt rendered by @huggingface/jinja and
// tokenized by HF's own tokenizers binding (npm `tokenizers`).
// Usage:
//   node chat_client.mjs chat ENDPOINT_URL TOKEN MESSAGES_JSON        -> chatCompletion answer
//   node chat_client.mjs chat-stream ENDPOINT_URL TOKEN MESSAGES_JSON -> {"content","chunks","finish_reason"}
//   node chat_client.mjs prompt MODEL_DIR MESSAGES_JSON               -> {"text","ids"}
import fs from "node:fs";
import path from "node:path";
import { InferenceClient } from "@huggingface/inference";
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "tokenizers";

const [mode, ...args] = process.argv.slice(2);
if (mode === "prompt") {
  const [dir, messages] = args;
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8"));
  const text = new Template(cfg.chat_template).render({
    messages: JSON.parse(messages), add_generation_prompt: true, bos_token: cfg.bos_token, eos_token: cfg.eos_token,
  });
  const tok = Tokenizer.fromFile(path.join(dir, "tokenizer.json"));
  const enc = await tok.encode(text, null, { addSpecialTokens: false });
  console.log(JSON.stringify({ text, ids: enc.getIds() }));
} else {
  const [endpointUrl, token, messages] = args;
  const client = new InferenceClient(token, { endpointUrl });
  const req = { model: "admin/chat", messages: JSON.parse(messages), max_tokens: 24 };
  if (mode === "chat") {
    console.log(JSON.stringify(await client.chatCompletion(req)));
  } else if (mode === "chat-stream") {
    let content = "", chunks = 0, finish = null;
    for await (const c of client.chatCompletionStream(req)) {
      chunks++;
      content += c.choices?.[0]?.delta?.content ?? "";
      finish = c.choices?.[0]?.finish_reason ?? finish;
    }
    console.log(JSON.stringify({ content, chunks, finish_reason: finish }));
  } else throw new Error(`unknown mode ${mode}`);
}
