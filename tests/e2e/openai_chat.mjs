// Drives a running Sluice with the official openai SDK: one plain and one streamed chat completion, and one
// request the gateway must refuse. Prints one JSON line with what the SDK saw; exits non-zero on surprise.
// Environment: OPENAI_BASE_URL (Sluice's /v1 URL), OPENAI_API_KEY (a Sluice gateway token), SLUICE_E2E_MODEL.
import OpenAI from 'openai';

const client = new OpenAI({ maxRetries: 0, timeout: 20_000 });
const model = process.env.SLUICE_E2E_MODEL;
const messages = [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }];

const plain = await client.chat.completions.create({ model, messages });

const stream = await client.chat.completions.create({ model, messages, stream: true });
let streamedText = '';
let chunks = 0;
let usageChunks = 0;
for await (const chunk of stream) {
  chunks += 1;
  if (chunk.usage) usageChunks += 1;
  streamedText += chunk.choices[0]?.delta?.content ?? '';
}

let refusal = null;
try {
  await client.chat.completions.create({ model: 'no-such-model', messages });
} catch (error) {
  refusal = { status: error.status, message: error.message, code: error.code ?? null };
}

const models = await client.models.list();

console.log(JSON.stringify({
  plain: {
    text: plain.choices[0].message.content,
    usage: plain.usage,
    finish: plain.choices[0].finish_reason,
  },
  stream: { text: streamedText, chunks, usageChunks },
  refusal,
  models: models.data.map((m) => m.id),
}));
