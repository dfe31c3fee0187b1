#pragma once

#include <QString>

namespace sluice {

// Names of the OpenTelemetry GenAI semantic conventions (registry v1.41) for what Sluice logs.
namespace GenAiConventions {
// gen_ai.operation.name of a logged endpoint: "chat", "generate_content" (Gemini), "text_completion",
// "embeddings"; Sluice's own words for the rest ("count_tokens", "list_models", "other").
QString operationName(const QString &endpoint);
// True for operations that call a model (and so carry usage): the GenAI metrics count only these.
bool callsModel(const QString &operation);
// gen_ai.provider.name of a provider type ("gcp.gemini", "aws.bedrock", "azure.ai.openai", ...); a type without
// a well-known name keeps its own.
QString providerName(const QString &providerType);
// The older gen_ai.system value, still read by many backends.
QString legacySystemName(const QString &providerType);
} // namespace GenAiConventions

} // namespace sluice
