// Calls a Sluice prompt with the official openai SDK, unmodified: the prompt named as the model, its variables in
// the body. Prints one JSON line with what the SDK saw; exits non-zero on surprise.
// Environment: OPENAI_BASE_URL (Sluice's /v1 URL), OPENAI_API_KEY (a gateway token), SLUICE_E2E_PROMPT (e.g.
// prompt:greet@production).
import OpenAI from 'openai';

const client = new OpenAI({ maxRetries: 0, timeout: 20_000 });
const model = process.env.SLUICE_E2E_PROMPT;

const { data, response } = await client.chat.completions
  .create({ model, messages: [{ role: 'user', content: 'And one more thing.' }], prompt_variables: { name: 'Ada' } })
  .withResponse();

let refusal = null;
try {
  await client.chat.completions.create({ model, messages: [], prompt_variables: {} });
} catch (error) {
  refusal = { status: error.status, message: error.message };
}

console.log(JSON.stringify({
  text: data.choices[0].message.content,
  model: data.model,
  prompt: response.headers.get('x-sluice-prompt'),
  version: response.headers.get('x-sluice-prompt-version'),
  refusal,
}));
