// Sends one prompt through a running Sluice with the official SDKs: openai chat completions (plain and streamed)
// and @anthropic-ai/sdk messages (plain and streamed), and one blocked request. Prints one JSON line with the
// answers' texts and the refusal; exits non-zero on surprise.
// Environment: SLUICE_E2E_BASE (Sluice's root URL), SLUICE_E2E_TOKEN (a gateway token), SLUICE_E2E_PROMPT,
// SLUICE_E2E_BLOCKED_PROMPT, SLUICE_E2E_OPENAI_MODEL, SLUICE_E2E_ANTHROPIC_MODEL.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const base = process.env.SLUICE_E2E_BASE;
const apiKey = process.env.SLUICE_E2E_TOKEN;
const prompt = process.env.SLUICE_E2E_PROMPT;
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, timeout: 20_000 });
const anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0, timeout: 20_000 });
const openaiModel = process.env.SLUICE_E2E_OPENAI_MODEL;
const anthropicModel = process.env.SLUICE_E2E_ANTHROPIC_MODEL;

const plain = await openai.chat.completions.create({ model: openaiModel, messages: [{ role: 'user', content: prompt }] });

const stream = await openai.chat.completions.create({
  model: openaiModel, messages: [{ role: 'user', content: prompt }], stream: true });
let streamed = '';
for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';

const message = await anthropic.messages.create({
  model: anthropicModel, max_tokens: 256, messages: [{ role: 'user', content: prompt }] });
const anthropicStream = anthropic.messages.stream({
  model: anthropicModel, max_tokens: 256, messages: [{ role: 'user', content: prompt }] });
const anthropicStreamed = await anthropicStream.finalMessage();
const textOf = (m) => m.content.filter((block) => block.type === 'text').map((block) => block.text).join('');

let refusal = null;
try {
  await openai.chat.completions.create({
    model: openaiModel, messages: [{ role: 'user', content: process.env.SLUICE_E2E_BLOCKED_PROMPT }] });
} catch (error) {
  refusal = { status: error.status, message: error.message, code: error.code ?? null };
}

console.log(JSON.stringify({
  openaiPlain: plain.choices[0].message.content,
  openaiStream: streamed,
  anthropicPlain: textOf(message),
  anthropicStream: textOf(anthropicStreamed),
  refusal,
}));
