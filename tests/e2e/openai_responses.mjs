// Drives a running Sluice with the official openai SDK's Responses API (plain and streamed, through a model on an
// Anthropic provider and one on an OpenAI provider), Responses tool calls (plain and streamed) and
// chat-completions tool calls. Prints one JSON line with
// what the SDK saw; exits non-zero on surprise.
// Environment: OPENAI_BASE_URL (Sluice's /v1 URL), OPENAI_API_KEY (a Sluice gateway token),
// SLUICE_E2E_ANTHROPIC_MODEL, SLUICE_E2E_OPENAI_MODEL, SLUICE_E2E_TOOL_MODEL, SLUICE_E2E_NO_ARGS_TOOL_MODEL.
import OpenAI from 'openai';

const client = new OpenAI({ maxRetries: 0, timeout: 20_000 });
const input = 'Hello, how are you?';

// The text of a Responses object's output messages (the SDK only adds output_text to non-streamed results).
function outputTextOf(response) {
  return (response?.output ?? [])
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content)
    .filter((part) => part.type === 'output_text')
    .map((part) => part.text)
    .join('');
}

async function plain(model) {
  const response = await client.responses.create({ model, input });
  return { model: response.model, status: response.status, text: response.output_text, usage: response.usage };
}

async function streamed(model) {
  const stream = await client.responses.create({ model, input, stream: true });
  let text = '';
  let deltas = 0;
  let completed = null;
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') {
      deltas += 1;
      text += event.delta;
    } else if (event.type === 'response.completed') {
      completed = event.response;
    }
  }
  return { text, deltas, status: completed?.status ?? null, completedText: outputTextOf(completed),
    usage: completed?.usage ?? null };
}

async function toolCall(model) {
  const completion = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
    tools: [{
      type: 'function',
      function: {
        name: 'weather',
        description: 'Get the weather in a location',
        parameters: { type: 'object', properties: { location: { type: 'string' } } },
      },
    }],
  });
  const choice = completion.choices[0];
  const call = choice.message.tool_calls?.[0];
  return { finish: choice.finish_reason, name: call?.function?.name ?? null,
    arguments: call ? JSON.parse(call.function.arguments) : null, id: call?.id ?? null, usage: completion.usage };
}

const weatherTool = {
  type: 'function',
  name: 'weather',
  description: 'Get the weather in a location',
  parameters: { type: 'object', properties: { location: { type: 'string' } } },
};
const weatherInput = 'What is the weather in San Francisco?';

// A Responses API tool call: the function_call output item, plain and streamed (argument deltas, then the
// item done event).
async function responsesToolCall(model) {
  const response = await client.responses.create({ model, input: weatherInput, tools: [weatherTool] });
  const call = (response.output ?? []).find((item) => item.type === 'function_call');
  return { status: response.status, name: call?.name ?? null, callId: call?.call_id ?? null,
    arguments: call ? JSON.parse(call.arguments) : null, usage: response.usage };
}

async function responsesToolCallStreamed(model) {
  const stream = await client.responses.create({ model, input: weatherInput, tools: [weatherTool], stream: true });
  let argumentDeltas = '';
  let done = null;
  let completed = null;
  for await (const event of stream) {
    if (event.type === 'response.function_call_arguments.delta')
      argumentDeltas += event.delta;
    else if (event.type === 'response.output_item.done' && event.item.type === 'function_call')
      done = event.item;
    else if (event.type === 'response.completed')
      completed = event.response;
  }
  return { name: done?.name ?? null, arguments: done ? JSON.parse(done.arguments) : null,
    deltasArguments: argumentDeltas ? JSON.parse(argumentDeltas) : null, status: completed?.status ?? null,
    usage: completed?.usage ?? null };
}

const anthropicModel = process.env.SLUICE_E2E_ANTHROPIC_MODEL;
const openaiModel = process.env.SLUICE_E2E_OPENAI_MODEL;

console.log(JSON.stringify({
  anthropic: { plain: await plain(anthropicModel), stream: await streamed(anthropicModel) },
  openai: { plain: await plain(openaiModel), stream: await streamed(openaiModel) },
  tool: await toolCall(process.env.SLUICE_E2E_TOOL_MODEL),
  noArgsTool: await toolCall(process.env.SLUICE_E2E_NO_ARGS_TOOL_MODEL),
  responsesTool: await responsesToolCall(process.env.SLUICE_E2E_TOOL_MODEL),
  responsesToolStream: await responsesToolCallStreamed(process.env.SLUICE_E2E_TOOL_MODEL),
}));
