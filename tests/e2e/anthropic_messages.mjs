// Drives a running Sluice with the official @anthropic-ai/sdk: plain and streamed messages through a model on an
// Anthropic provider and one on an OpenAI provider, a tool call (plain and streamed), and a token count. Prints one JSON line with
// what the SDK saw; exits non-zero on surprise.
// Environment: ANTHROPIC_BASE_URL (Sluice's root URL), ANTHROPIC_API_KEY (a Sluice gateway token),
// SLUICE_E2E_ANTHROPIC_MODEL, SLUICE_E2E_OPENAI_MODEL, SLUICE_E2E_TOOL_MODEL, SLUICE_E2E_OPENAI_TOOL_MODEL.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ maxRetries: 0, timeout: 20_000 });
const messages = [{ role: 'user', content: 'Hello, how are you?' }];

function textOf(message) {
  return message.content.filter((block) => block.type === 'text').map((block) => block.text).join('');
}

async function plain(model) {
  const message = await client.messages.create({ model, max_tokens: 1024, messages });
  return { model: message.model, text: textOf(message), stop_reason: message.stop_reason, usage: message.usage };
}

async function streamed(model) {
  const stream = client.messages.stream({ model, max_tokens: 1024, messages });
  let deltas = 0;
  stream.on('text', () => { deltas += 1; });
  const message = await stream.finalMessage();
  return { model: message.model, text: textOf(message), stop_reason: message.stop_reason, usage: message.usage,
    deltas };
}

async function toolCall(model, stream) {
  const request = {
    model,
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'What is the weather in four cities? Answer with the json tool.' }],
    tools: [{
      name: 'json',
      description: 'Respond with a JSON object.',
      input_schema: { type: 'object', properties: { elements: { type: 'array' } }, required: ['elements'] },
    }],
    tool_choice: { type: 'tool', name: 'json' },
  };
  const message = stream ? await client.messages.stream(request).finalMessage()
    : await client.messages.create(request);
  const tool = message.content.find((block) => block.type === 'tool_use');
  return { stop_reason: message.stop_reason, name: tool?.name ?? null, input: tool?.input ?? null,
    id: tool?.id ?? null, usage: message.usage };
}

const anthropicModel = process.env.SLUICE_E2E_ANTHROPIC_MODEL;
const openaiModel = process.env.SLUICE_E2E_OPENAI_MODEL;
const counted = await client.messages.countTokens({ model: anthropicModel, messages });

console.log(JSON.stringify({
  anthropic: { plain: await plain(anthropicModel), stream: await streamed(anthropicModel) },
  openai: { plain: await plain(openaiModel), stream: await streamed(openaiModel) },
  tool: await toolCall(process.env.SLUICE_E2E_TOOL_MODEL, false),
  toolStream: await toolCall(process.env.SLUICE_E2E_TOOL_MODEL, true),
  toolFromOpenAiProvider: await toolCall(process.env.SLUICE_E2E_OPENAI_TOOL_MODEL, false),
  countTokens: counted.input_tokens,
}));
