// Drives a running Sluice with the official openai SDK on /v1/embeddings and the legacy /v1/completions, to an
// OpenAI-compatible provider (passed through) and to providers of other formats (translated). Prints one JSON line
// with what the SDK saw; exits non-zero on surprise.
// Environment: OPENAI_BASE_URL (Sluice's /v1 URL), OPENAI_API_KEY (a Sluice gateway token).
import OpenAI from 'openai';

const client = new OpenAI({ maxRetries: 0, timeout: 20_000 });

function embeddingsSeen(response) {
  return {
    model: response.model,
    usage: response.usage,
    vectors: response.data.map((item) => ({ index: item.index, values: Array.from(item.embedding) })),
  };
}

async function refusalOf(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return { status: error.status ?? null, message: error.message };
  }
}

async function streamedCompletion(params) {
  const stream = await client.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let chunks = 0;
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    chunks += 1;
    const choice = chunk.choices[0];
    if (choice) {
      text += choice.text ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, chunks, finish, usage };
}

function completionSeen(response) {
  return {
    object: response.object,
    model: response.model,
    text: response.choices[0].text,
    finish: response.choices[0].finish_reason,
    usage: response.usage,
  };
}

const prompt = 'Invent a new holiday and describe it.';
console.log(JSON.stringify({
  // The SDK asks for base64 by default and decodes it: from Gemini, Sluice does the encoding.
  embeddings: {
    openai: embeddingsSeen(await client.embeddings.create({
      model: 'embed-openai', input: ['the quick brown fox', 'lazy dog'], dimensions: 4,
    })),
    gemini: embeddingsSeen(await client.embeddings.create({ model: 'embed-gemini', input: 'hello gemini' })),
    geminiFloat: embeddingsSeen(await client.embeddings.create({
      model: 'embed-gemini', input: ['first', 'second'], dimensions: 3, encoding_format: 'float',
    })),
    refusal: await refusalOf(client.embeddings.create({ model: 'embed-claude', input: 'hello' })),
  },
  completions: {
    passThrough: completionSeen(await client.completions.create({ model: 'instruct', prompt, max_tokens: 16 })),
    passThroughStream: await streamedCompletion({ model: 'instruct', prompt, max_tokens: 16 }),
    translated: completionSeen(await client.completions.create({ model: 'claude-e2e', prompt: 'Hello, how are you?' })),
    translatedStream: await streamedCompletion({ model: 'claude-e2e', prompt: 'Hello, how are you?' }),
    refusal: await refusalOf(client.completions.create({ model: 'claude-e2e', prompt, echo: true, suffix: '.' })),
  },
}));
