#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "MockFault.h"
#include "MockResponse.h"
#include "RecordingLibrary.h"

namespace sluice::test {

struct ReceivedRequest;

// Maps a request to the recording it names and renders the answer in the provider's real wire format.
class MockEndpoints
{
public:
    enum class Api {
        None,
        Models, // GET .../models
        OpenAiChat, // POST .../chat/completions
        OpenAiResponses, // POST .../responses (answers rendered from OpenAI chat recordings)
        OpenAiCompletions, // POST .../completions
        AnthropicMessages, // POST .../messages
        GeminiGenerate, // POST .../models/NAME:generateContent
        GeminiStream, // POST .../models/NAME:streamGenerateContent[?alt=sse]
        BedrockConverse, // POST .../model/NAME/converse (answers derived from Anthropic recordings)
        BedrockConverseStream, // POST .../model/NAME/converse-stream (AWS event-stream framing)
        OpenAiEmbeddings, // POST .../embeddings (synthetic vectors, no recording)
        GeminiEmbed, // POST .../models/NAME:batchEmbedContents (synthetic vectors, no recording)
    };

    struct Route
    {
        Api api = Api::None;
        RecordingLibrary::Family family = RecordingLibrary::Family::OpenAi; // of the endpoint
        QString model; // recording name, fault suffix and agent prefix removed
        QString requestedModel; // the model name as the request gave it
        bool agent = false; // "agent-tool~NAME": the scripted agent turn (AgentScript)
        QByteArray faultSpec; // from the x-mock-fault header or a "NAME~SPEC" model suffix
        bool stream = false;
        bool includeUsage = false; // stream_options.include_usage
        bool sse = true; // Gemini streams without alt=sse are one JSON array
        int errorStatus = 0; // the request itself is unusable
        QString errorMessage;
        bool bedrock = false; // Bedrock Converse: errors as {"message"} with x-amzn-ErrorType
        QJsonObject body; // the request body (embeddings are computed from it)
    };

    explicit MockEndpoints(const RecordingLibrary *library);

    Route route(const ReceivedRequest &request) const;
    MockResponse respond(const Route &route, const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                         int serial) const;

    // Why a Bedrock request's credentials are not shaped like SigV4 (or a Bedrock API key); empty when they are.
    // Checks the Authorization header's form, the credential scope's service ("bedrock"), that host,
    // x-amz-date and x-amz-content-sha256 are signed and that x-amz-content-sha256 is the body's SHA-256.
    static QString bedrockAuthProblem(const ReceivedRequest &request);
    // The error body the endpoint family's real API answers with.
    static QByteArray errorBody(RecordingLibrary::Family family, int status, const QString &message);
    static QByteArray reasonPhrase(int status);
    static QByteArray chunk(const QByteArray &data);
    // The synthetic embedding the mock gives `text`: `dimensions` values derived from a hash of the text, each a
    // multiple of 1/1024 in [-1, 1] (exact in float32). No provider recording exists for embeddings; the answers
    // around these vectors follow the providers' documented response shapes.
    static QList<double> syntheticEmbedding(const QString &text, int dimensions);
    static constexpr int DefaultEmbeddingDimensions = 8;

private:
    MockResponse errorResponse(RecordingLibrary::Family family, int status, const QString &message, bool keepAlive,
                               int serial, const MockFault *fault = nullptr) const;
    MockResponse streamResponse(const Route &route, const RecordingLibrary::Recording &recording,
                                const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                                int serial) const;
    MockResponse embeddingsResponse(const Route &route, bool keepAlive, int serial) const;
    MockResponse bodyResponse(const QByteArray &body, const std::optional<MockFault> &fault, bool keepAlive,
                              int serial) const;
    // An answer that is not a recording replayed as is: a recording of another format, or the agent's tool call.
    MockResponse renderedResponse(const Route &route, const RecordingLibrary::Recording &recording,
                                  const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                                  int serial) const;
    // Model "echo": answers "You said: " and the last user message's text, streamed in pieces of EchoPiece
    // characters (so a word is split across events), in the endpoint's format.
    MockResponse echoResponse(const Route &route, const std::optional<MockFault> &fault, int eventDelayMs,
                              bool keepAlive, int serial) const;
    MockResponse renderedStream(const Route &route, const QList<QByteArray> &pieces,
                                const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                                int serial) const;
    // invalid-json: the fault's event cut in half.
    static void breakEvent(QList<QByteArray> &events, const std::optional<MockFault> &fault);
    // A 200 stream of these pieces, one chunk each (eventCount of them are events, for the stream faults).
    MockResponse chunkedStream(const Route &route, const QList<QByteArray> &pieces, int eventCount,
                               const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                               int serial) const;
    MockResponse bedrockResponse(const Route &route, const std::optional<MockFault> &fault, int eventDelayMs,
                                 bool keepAlive, int serial) const;
    MockResponse bedrockError(int status, const QString &message, bool keepAlive, int serial,
                              const MockFault *fault = nullptr) const;

    const RecordingLibrary *m_library;
};

} // namespace sluice::test
