#include "MockEndpoints.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtEndian>

#include "AgentScript.h"
#include "AnswerRenderer.h"
#include "AwsEventStreamWriter.h"
#include "BedrockTranscript.h"
#include "ReceivedRequest.h"
#include "api/CanonicalRequest.h"
#include "api/FormatCodec.h"
#include "api/ResponseAssembler.h"

namespace sluice::test {

using Family = RecordingLibrary::Family;

namespace {

QByteArray head(int status, const QByteArray &contentType, const QByteArray &framing, bool keepAlive, int serial,
                const QByteArray &extraHeaders = {})
{
    QByteArray text = QByteArrayLiteral("HTTP/1.1 ") + QByteArray::number(status) + ' '
        + MockEndpoints::reasonPhrase(status) + QByteArrayLiteral("\r\nContent-Type: ") + contentType
        + QByteArrayLiteral("\r\n") + framing + QByteArrayLiteral("\r\nx-request-id: mock-")
        + QByteArray::number(serial) + QByteArrayLiteral("\r\n") + extraHeaders;
    text += keepAlive ? QByteArrayLiteral("Connection: keep-alive\r\n\r\n")
                      : QByteArrayLiteral("Connection: close\r\n\r\n");
    return text;
}

QByteArray contentLength(qsizetype size)
{
    return QByteArrayLiteral("Content-Length: ") + QByteArray::number(size);
}

QByteArray jsonText(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The text between "/models/" and ":" in a Gemini path, percent-decoded.
QString geminiModel(const QByteArray &path)
{
    const qsizetype start = path.lastIndexOf("/models/");
    const qsizetype colon = path.lastIndexOf(':');
    if (start < 0 || colon < start)
        return {};
    const qsizetype from = start + 8;
    return QString::fromUtf8(QByteArray::fromPercentEncoding(path.mid(from, colon - from)));
}

// The NAME in an Azure path ".../deployments/NAME/chat/completions".
QString azureDeployment(const QByteArray &path)
{
    const qsizetype start = path.indexOf("/deployments/");
    if (start < 0)
        return {};
    const qsizetype from = start + 13;
    const qsizetype end = path.indexOf('/', from);
    return QString::fromUtf8(QByteArray::fromPercentEncoding(path.mid(from, end < 0 ? -1 : end - from)));
}

// The NAME in a Bedrock path ".../model/NAME/converse[-stream]", percent-decoded.
QString bedrockModel(const QByteArray &path)
{
    const qsizetype start = path.lastIndexOf("/model/");
    const qsizetype end = path.lastIndexOf('/');
    if (start < 0 || end <= start + 7)
        return {};
    return QString::fromUtf8(QByteArray::fromPercentEncoding(path.mid(start + 7, end - start - 7)));
}

// The wire format an endpoint speaks, for rendered answers; nullopt for endpoints that never render.
std::optional<ApiFormat> formatOfApi(MockEndpoints::Api api)
{
    switch (api) {
    case MockEndpoints::Api::OpenAiChat:
        return ApiFormat::OpenAiChat;
    case MockEndpoints::Api::OpenAiResponses:
        return ApiFormat::OpenAiResponses;
    case MockEndpoints::Api::OpenAiCompletions:
        return ApiFormat::OpenAiCompletions;
    case MockEndpoints::Api::AnthropicMessages:
        return ApiFormat::AnthropicMessages;
    case MockEndpoints::Api::GeminiGenerate:
    case MockEndpoints::Api::GeminiStream:
        return ApiFormat::Gemini;
    default:
        return std::nullopt;
    }
}

bool queryHas(const QByteArray &query, const QByteArray &field)
{
    const QList<QByteArray> fields = query.split('&');
    return fields.contains(field);
}

// The faults a streamed answer shows while it is sent: late headers, slow events, cut or reset after N events.
void applyStreamFault(MockResponse &response, const std::optional<MockFault> &fault, int eventCount)
{
    if (!fault)
        return;
    switch (fault->kind) {
    case MockFault::Kind::SlowHeaders:
        response.headDelayMs = fault->delayMs;
        break;
    case MockFault::Kind::SlowStream:
        response.pieceDelayMs = fault->delayMs;
        break;
    case MockFault::Kind::TruncatedStream:
        response.end = MockResponse::End::Close;
        response.endAfterPieces = qBound(0, fault->afterEvents, eventCount);
        break;
    case MockFault::Kind::ResetMidStream:
        response.end = MockResponse::End::Reset;
        response.endAfterPieces = qBound(0, fault->afterEvents, eventCount);
        break;
    default:
        break;
    }
}

} // namespace

MockEndpoints::MockEndpoints(const RecordingLibrary *library)
    : m_library(library)
{ }

MockEndpoints::Route MockEndpoints::route(const ReceivedRequest &request) const
{
    Route route;
    const QByteArray &path = request.path;
    const bool post = request.method == "POST";
    if (request.method == "GET" && path.endsWith("/models")) {
        route.api = Api::Models;
        return route;
    }
    if (post && path.endsWith("/embeddings")) {
        route.api = Api::OpenAiEmbeddings;
    } else if (post && path.contains("/models/") && path.endsWith(":batchEmbedContents")) {
        route.api = Api::GeminiEmbed;
        route.family = Family::Gemini;
    } else if (post && path.endsWith("/chat/completions")) {
        route.api = Api::OpenAiChat;
    } else if (post && path.endsWith("/responses")) {
        route.api = Api::OpenAiResponses;
    } else if (post && path.endsWith("/completions")) {
        route.api = Api::OpenAiCompletions;
    } else if (post && path.endsWith("/messages")) {
        route.api = Api::AnthropicMessages;
        route.family = Family::Anthropic;
    } else if (post && path.contains("/models/") && path.endsWith(":generateContent")) {
        route.api = Api::GeminiGenerate;
        route.family = Family::Gemini;
    } else if (post && path.contains("/models/") && path.endsWith(":streamGenerateContent")) {
        route.api = Api::GeminiStream;
        route.family = Family::Gemini;
    } else if (post && path.contains("/model/") && (path.endsWith("/converse") || path.endsWith("/converse-stream"))) {
        route.api = path.endsWith("/converse") ? Api::BedrockConverse : Api::BedrockConverseStream;
        route.family = Family::Anthropic;
        route.bedrock = true;
        route.stream = route.api == Api::BedrockConverseStream;
        const QString problem = bedrockAuthProblem(request);
        if (!problem.isEmpty()) {
            route.errorStatus = 403;
            route.errorMessage = problem;
            return route;
        }
    } else {
        route.errorStatus = 404;
        route.errorMessage = QStringLiteral("The mock upstream has no endpoint %1 %2")
                                 .arg(QString::fromLatin1(request.method), QString::fromUtf8(path));
        return route;
    }

    QJsonParseError parseError {};
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (!document.isObject()) {
        route.errorStatus = 400;
        route.errorMessage = QStringLiteral("The request body is not a JSON object (%1)").arg(parseError.errorString());
        return route;
    }
    const QJsonObject body = document.object();
    route.body = body;

    QString model;
    if (route.bedrock) {
        model = bedrockModel(path);
    } else if (route.family == Family::Gemini) {
        model = geminiModel(path);
        route.stream = route.api == Api::GeminiStream;
        route.sse = queryHas(request.query, "alt=sse");
    } else {
        model = body.value(QLatin1String("model")).toString();
        if (model.isEmpty() && (route.api == Api::OpenAiChat || route.api == Api::OpenAiEmbeddings))
            model = azureDeployment(path);
        route.stream = body.value(QLatin1String("stream")).toBool(false);
        route.includeUsage = body.value(QLatin1String("stream_options"))
                                 .toObject()
                                 .value(QLatin1String("include_usage"))
                                 .toBool(false);
    }
    route.requestedModel = model;
    const QLatin1String agentPrefix(AgentScript::ModelPrefix);
    if (model.startsWith(agentPrefix) && formatOfApi(route.api)) {
        route.agent = true;
        model = model.mid(agentPrefix.size());
    }
    const qsizetype tilde = model.indexOf(QLatin1Char('~'));
    if (tilde >= 0) {
        route.faultSpec = model.mid(tilde + 1).toUtf8();
        model.truncate(tilde);
    }
    const QByteArray headerFault = request.headers.value("x-mock-fault");
    if (!headerFault.isEmpty())
        route.faultSpec = headerFault;
    if (model.isEmpty()) {
        route.errorStatus = 400;
        route.errorMessage = QStringLiteral("The request names no model (it names the recording to replay)");
        return route;
    }
    route.model = model;
    return route;
}

MockResponse MockEndpoints::respond(const Route &route, const std::optional<MockFault> &fault, int eventDelayMs,
                                    bool keepAlive, int serial) const
{
    if (route.bedrock)
        return bedrockResponse(route, fault, eventDelayMs, keepAlive, serial);
    if (route.errorStatus != 0)
        return errorResponse(route.family, route.errorStatus, route.errorMessage, keepAlive, serial);

    if (route.api == Api::Models) {
        QJsonArray data;
        for (const QString &name : m_library->names()) {
            data.append(QJsonObject {{QStringLiteral("id"), name},
                                     {QStringLiteral("object"), QStringLiteral("model")},
                                     {QStringLiteral("created"), 0},
                                     {QStringLiteral("owned_by"), m_library->find(name)->folder}});
        }
        const QByteArray body = jsonText(
            QJsonObject {{QStringLiteral("object"), QStringLiteral("list")}, {QStringLiteral("data"), data}});
        MockResponse response;
        response.head = head(200, "application/json", contentLength(body.size()), keepAlive, serial) + body;
        response.closeAfter = !keepAlive;
        return response;
    }

    if (fault) {
        switch (fault->kind) {
        case MockFault::Kind::Status:
            return errorResponse(route.family, fault->status,
                                 QStringLiteral("Injected failure: status %1 (mock upstream fault)").arg(fault->status),
                                 keepAlive, serial, &*fault);
        case MockFault::Kind::ResetBeforeHeaders: {
            MockResponse response;
            response.resetBeforeHead = true;
            return response;
        }
        case MockFault::Kind::StallBeforeHeaders: {
            MockResponse response;
            response.stall = true;
            return response;
        }
        default:
            break;
        }
    }

    if (route.api == Api::OpenAiEmbeddings || route.api == Api::GeminiEmbed)
        return embeddingsResponse(route, keepAlive, serial);

    if (route.model == QLatin1String("echo") && formatOfApi(route.api))
        return echoResponse(route, fault, eventDelayMs, keepAlive, serial);
    const RecordingLibrary::Recording *recording = m_library->find(route.model);
    if (!recording) {
        return errorResponse(route.family, 404,
                             QStringLiteral("The model `%1` does not exist: the mock upstream has no recording of that "
                                            "name (GET /v1/models lists them)")
                                 .arg(route.model),
                             keepAlive, serial);
    }
    const bool rendered = route.agent || route.api == Api::OpenAiResponses;
    if (recording->family != route.family && !rendered) {
        return errorResponse(route.family, 404,
                             QStringLiteral("The model `%1` does not exist here: its recording is %2 traffic, not %3")
                                 .arg(route.model, RecordingLibrary::familyName(recording->family),
                                      RecordingLibrary::familyName(route.family)),
                             keepAlive, serial);
    }
    if (recording->hasBody) {
        const int status = RecordingLibrary::errorStatus(recording->body);
        if (status != 0) {
            MockResponse response;
            response.status = status;
            response.head = head(status, "application/json", contentLength(recording->body.size()), keepAlive, serial)
                + recording->body;
            response.closeAfter = !keepAlive;
            return response;
        }
    }
    if (rendered) {
        const bool toolTurn = route.agent && AgentScript::nextCall(*formatOfApi(route.api), route.body).has_value();
        if (toolTurn || recording->family != route.family || route.api == Api::OpenAiResponses)
            return renderedResponse(route, *recording, fault, eventDelayMs, keepAlive, serial);
    }
    if (route.stream) {
        if (!recording->hasEvents) {
            return errorResponse(route.family, 404,
                                 QStringLiteral("The recording `%1` has no streamed version (%1.chunks.txt); send the "
                                                "request without streaming")
                                     .arg(route.model),
                                 keepAlive, serial);
        }
        return streamResponse(route, *recording, fault, eventDelayMs, keepAlive, serial);
    }
    if (!recording->hasBody) {
        return errorResponse(route.family, 404,
                             QStringLiteral("The recording `%1` has only a streamed version (%1.chunks.txt); send "
                                            "the request with streaming on")
                                 .arg(route.model),
                             keepAlive, serial);
    }
    return bodyResponse(recording->body, fault, keepAlive, serial);
}

MockResponse MockEndpoints::renderedResponse(const Route &route, const RecordingLibrary::Recording &recording,
                                             const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                                             int serial) const
{
    const ApiFormat format = *formatOfApi(route.api);
    // Rendered answers name the model that served the recording, as a provider names its own model.
    QString served = AnswerRenderer::modelOf(recording);
    if (served.isEmpty())
        served = route.requestedModel;
    std::optional<AgentScript::ToolCall> call;
    if (route.agent)
        call = AgentScript::nextCall(format, route.body);

    CanonicalResponse whole;
    CanonicalEvents events;
    if (call) {
        TokenUsage usage;
        usage.input = qMax<qint64>(1, QJsonDocument(route.body).toJson(QJsonDocument::Compact).size() / 4);
        usage.output = 20;
        const QString id = (format == ApiFormat::AnthropicMessages ? QStringLiteral("toolu_mock_%1")
                                                                   : QStringLiteral("call_mock_%1"))
                               .arg(serial);
        whole = AnswerRenderer::toolCall(id, call->name, call->arguments, usage, served);
        events = ResponseAssembler::toEvents(whole);
    } else if (route.stream) {
        auto decoded = AnswerRenderer::events(recording);
        if (!decoded)
            return errorResponse(route.family, 500, decoded.errorMessage(), keepAlive, serial);
        events = decoded.value();
    } else {
        auto decoded = AnswerRenderer::response(recording);
        if (!decoded)
            return errorResponse(route.family, 500, decoded.errorMessage(), keepAlive, serial);
        whole = decoded.value();
    }

    if (!route.stream)
        return bodyResponse(AnswerRenderer::body(format, whole, served), fault, keepAlive, serial);
    StreamEncoderOptions options;
    options.requestedModel = served;
    options.includeUsage = route.includeUsage;
    options.jsonArray = format == ApiFormat::Gemini && !route.sse;
    return renderedStream(route, AnswerRenderer::stream(format, events, options), fault, eventDelayMs, keepAlive,
                          serial);
}

MockResponse MockEndpoints::echoResponse(const Route &route, const std::optional<MockFault> &fault, int eventDelayMs,
                                         bool keepAlive, int serial) const
{
    constexpr qsizetype EchoPiece = 7;
    const ApiFormat format = *formatOfApi(route.api);
    Result<CanonicalRequest> request
        = FormatCodec::forFormat(format).decodeRequest(QJsonDocument(route.body).toJson(QJsonDocument::Compact));
    if (!request)
        return errorResponse(route.family, 400, request.errorMessage(), keepAlive, serial);
    QString said;
    for (const CanonicalMessage &message : std::as_const(request->messages)) {
        if (message.role == CanonicalMessage::Role::User)
            said = joinedText(message.parts);
    }
    CanonicalResponse whole;
    whole.id = QStringLiteral("echo-%1").arg(serial);
    whole.model = route.requestedModel;
    whole.content.append(ContentPart::makeText(QStringLiteral("You said: ") + said));
    whole.usage.input = 10;
    whole.usage.output = 10;
    if (!route.stream)
        return bodyResponse(AnswerRenderer::body(format, whole, route.requestedModel), fault, keepAlive, serial);
    CanonicalEvents events;
    for (const CanonicalEvent &event : ResponseAssembler::toEvents(whole)) {
        if (event.type != CanonicalEvent::Type::TextDelta) {
            events.append(event);
            continue;
        }
        for (qsizetype at = 0; at < event.text.size(); at += EchoPiece)
            events.append(CanonicalEvent::textDelta(event.text.mid(at, EchoPiece)));
    }
    StreamEncoderOptions options;
    options.requestedModel = route.requestedModel;
    options.includeUsage = route.includeUsage;
    options.jsonArray = format == ApiFormat::Gemini && !route.sse;
    return renderedStream(route, AnswerRenderer::stream(format, events, options), fault, eventDelayMs, keepAlive,
                          serial);
}

MockResponse MockEndpoints::renderedStream(const Route &route, const QList<QByteArray> &pieces,
                                           const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                                           int serial) const
{
    QList<QByteArray> events = pieces;
    breakEvent(events, fault);
    return chunkedStream(route, events, int(events.size()), fault, eventDelayMs, keepAlive, serial);
}

MockResponse MockEndpoints::streamResponse(const Route &route, const RecordingLibrary::Recording &recording,
                                           const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                                           int serial) const
{
    QList<QByteArray> payloads;
    for (const QByteArray &payload : recording.events) {
        if (route.family == Family::OpenAi && !route.includeUsage && RecordingLibrary::isUsageOnlyChunk(payload))
            continue;
        payloads.append(payload);
    }
    const int eventCount = int(payloads.size());
    breakEvent(payloads, fault);

    const bool jsonArray = route.family == Family::Gemini && !route.sse;
    QList<QByteArray> framed;
    for (int i = 0; i < eventCount; ++i) {
        if (jsonArray)
            framed.append((i == 0 ? QByteArrayLiteral("[") : QByteArrayLiteral(",\r\n")) + payloads.at(i));
        else
            framed.append(RecordingLibrary::frameEvent(route.family, payloads.at(i)));
    }
    if (jsonArray)
        framed.append(eventCount == 0 ? QByteArrayLiteral("[]") : QByteArrayLiteral("]"));
    if (route.family == Family::OpenAi)
        framed.append(QByteArrayLiteral("data: [DONE]\n\n"));
    return chunkedStream(route, framed, eventCount, fault, eventDelayMs, keepAlive, serial);
}

void MockEndpoints::breakEvent(QList<QByteArray> &events, const std::optional<MockFault> &fault)
{
    if (fault && fault->kind == MockFault::Kind::InvalidJson && !events.isEmpty()) {
        QByteArray &broken = events[qBound(0, fault->afterEvents, int(events.size()) - 1)];
        broken.truncate(broken.size() / 2);
    }
}

MockResponse MockEndpoints::chunkedStream(const Route &route, const QList<QByteArray> &pieces, int eventCount,
                                          const std::optional<MockFault> &fault, int eventDelayMs, bool keepAlive,
                                          int serial) const
{
    const bool jsonArray = route.family == Family::Gemini && !route.sse;
    MockResponse response;
    if (fault && fault->kind == MockFault::Kind::Rechunk && !pieces.join().isEmpty()) {
        const QByteArray body = pieces.join();
        const qsizetype first = fault->splitAt > 0 ? qMin<qsizetype>(fault->splitAt, body.size()) : 1;
        response.pieces.append(chunk(body.first(first)));
        for (qsizetype at = first; at<body.size(); at += fault->splitAt> 0 ? body.size() : 1)
            response.pieces.append(chunk(body.sliced(at, fault->splitAt > 0 ? body.size() - at : 1)));
    } else {
        for (const QByteArray &piece : pieces)
            response.pieces.append(chunk(piece));
    }
    response.trailer = QByteArrayLiteral("0\r\n\r\n");
    response.pieceDelayMs = eventDelayMs;
    response.closeAfter = !keepAlive;
    response.head
        = head(200, jsonArray ? "application/json" : "text/event-stream; charset=utf-8", "Transfer-Encoding: chunked",
               keepAlive, serial, jsonArray ? QByteArray() : QByteArrayLiteral("Cache-Control: no-cache\r\n"));
    applyStreamFault(response, fault, eventCount);
    return response;
}

QList<double> MockEndpoints::syntheticEmbedding(const QString &text, int dimensions)
{
    quint64 state = 1469598103934665603ULL; // FNV-1a over the UTF-8 text, then a linear congruential walk
    for (const char byte : text.toUtf8()) {
        state ^= quint8(byte);
        state *= 1099511628211ULL;
    }
    QList<double> values;
    values.reserve(dimensions);
    for (int i = 0; i < dimensions; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        values.append((int((state >> 33) % 2049) - 1024) / 1024.0);
    }
    return values;
}

MockResponse MockEndpoints::embeddingsResponse(const Route &route, bool keepAlive, int serial) const
{
    QJsonObject answer;
    if (route.api == Api::GeminiEmbed) {
        // Gemini batchEmbedContents: {"embeddings": [{"values": [...]}, ...]}, in request order.
        QJsonArray embeddings;
        for (const QJsonValue &item : route.body.value(QLatin1String("requests")).toArray()) {
            const QJsonObject request = item.toObject();
            QString text;
            for (const QJsonValue &part :
                 request.value(QLatin1String("content")).toObject().value(QLatin1String("parts")).toArray())
                text += part.toObject().value(QLatin1String("text")).toString();
            const int dimensions
                = request.value(QLatin1String("outputDimensionality")).toInt(DefaultEmbeddingDimensions);
            QJsonArray values;
            for (const double value : syntheticEmbedding(text, dimensions))
                values.append(value);
            embeddings.append(QJsonObject {{QStringLiteral("values"), values}});
        }
        answer.insert(QStringLiteral("embeddings"), embeddings);
    } else {
        // OpenAI: {"object": "list", "data": [{"object": "embedding", "index", "embedding"}], "model", "usage"}.
        const QJsonValue input = route.body.value(QLatin1String("input"));
        QJsonArray inputs = input.isArray() ? input.toArray() : QJsonArray {input};
        if (!inputs.isEmpty() && inputs.first().isDouble())
            inputs = QJsonArray {input}; // one token list
        const int dimensions = route.body.value(QLatin1String("dimensions")).toInt(DefaultEmbeddingDimensions);
        const bool base64 = route.body.value(QLatin1String("encoding_format")).toString() == QLatin1String("base64");
        QJsonArray data;
        qint64 tokens = 0;
        for (qsizetype i = 0; i < inputs.size(); ++i) {
            const QJsonValue item = inputs.at(i);
            const QString text
                = item.isString() ? item.toString() : QString::fromUtf8(QJsonDocument(item.toArray()).toJson());
            tokens += item.isString() ? text.split(QLatin1Char(' '), Qt::SkipEmptyParts).size() : item.toArray().size();
            const QList<double> values = syntheticEmbedding(text, dimensions);
            QJsonValue embedding;
            if (base64) {
                QByteArray bytes(values.size() * 4, Qt::Uninitialized);
                for (qsizetype v = 0; v < values.size(); ++v)
                    qToLittleEndian(float(values.at(v)), bytes.data() + v * 4);
                embedding = QString::fromLatin1(bytes.toBase64());
            } else {
                QJsonArray array;
                for (const double value : values)
                    array.append(value);
                embedding = array;
            }
            data.append(QJsonObject {{QStringLiteral("object"), QStringLiteral("embedding")},
                                     {QStringLiteral("index"), int(i)},
                                     {QStringLiteral("embedding"), embedding}});
        }
        answer = QJsonObject {
            {QStringLiteral("object"), QStringLiteral("list")},
            {QStringLiteral("data"), data},
            {QStringLiteral("model"), route.model},
            {QStringLiteral("usage"),
             QJsonObject {{QStringLiteral("prompt_tokens"), tokens}, {QStringLiteral("total_tokens"), tokens}}}};
    }
    const QByteArray body = jsonText(answer);
    MockResponse response;
    response.head = head(200, "application/json", contentLength(body.size()), keepAlive, serial) + body;
    response.closeAfter = !keepAlive;
    return response;
}

MockResponse MockEndpoints::bodyResponse(const QByteArray &recordedBody, const std::optional<MockFault> &fault,
                                         bool keepAlive, int serial) const
{
    QByteArray body = recordedBody;
    const MockFault::Kind kind = fault ? fault->kind : MockFault::Kind::Status;
    if (fault && kind == MockFault::Kind::InvalidJson)
        body.truncate(body.size() / 2);

    MockResponse response;
    response.closeAfter = !keepAlive;
    response.head = head(200, "application/json", contentLength(body.size()), keepAlive, serial);
    if (!fault || kind == MockFault::Kind::InvalidJson || kind == MockFault::Kind::SlowHeaders
        || kind == MockFault::Kind::Rechunk) {
        response.head += body; // rechunk cuts streams only
        if (fault && kind == MockFault::Kind::SlowHeaders)
            response.headDelayMs = fault->delayMs;
        return response;
    }
    if (kind == MockFault::Kind::SlowStream) {
        response.pieces = {body};
        response.pieceDelayMs = fault->delayMs;
        return response;
    }
    // Truncated or reset: the announced Content-Length is never reached.
    response.pieces = {body.left(body.size() / 2)};
    response.end = kind == MockFault::Kind::ResetMidStream ? MockResponse::End::Reset : MockResponse::End::Close;
    response.endAfterPieces = 1;
    return response;
}

MockResponse MockEndpoints::errorResponse(Family family, int status, const QString &message, bool keepAlive, int serial,
                                          const MockFault *fault) const
{
    QByteArray extra;
    QByteArray body = errorBody(family, status, message);
    if (fault) {
        if (!fault->body.isEmpty())
            body = fault->body;
        if (!fault->retryAfter.isEmpty())
            extra += QByteArrayLiteral("Retry-After: ") + fault->retryAfter + QByteArrayLiteral("\r\n");
        if (fault->retryAfterMs >= 0)
            extra += QByteArrayLiteral("retry-after-ms: ") + QByteArray::number(fault->retryAfterMs)
                + QByteArrayLiteral("\r\n");
    }
    MockResponse response;
    response.status = status;
    response.head = head(status, "application/json", contentLength(body.size()), keepAlive, serial, extra) + body;
    response.closeAfter = !keepAlive;
    return response;
}

QString MockEndpoints::bedrockAuthProblem(const ReceivedRequest &request)
{
    const QByteArray authorization = request.headers.value("authorization");
    if (authorization.startsWith("Bearer ") && authorization.size() > 7)
        return {}; // a Bedrock API key
    static const QRegularExpression sigV4(
        QStringLiteral("^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)/(\\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, "
                       "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"));
    const QRegularExpressionMatch match = sigV4.match(QString::fromLatin1(authorization));
    if (!match.hasMatch())
        return QStringLiteral("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                              "parameters (AWS4-HMAC-SHA256) or a Bedrock API key");
    if (match.captured(4) != QLatin1String("bedrock"))
        return QStringLiteral("Credential should be scoped to correct service: 'bedrock'.");
    const QByteArray date = request.headers.value("x-amz-date");
    if (date.size() != 16 || !date.startsWith(match.captured(2).toLatin1()))
        return QStringLiteral("Date in Credential scope does not match x-amz-date (or x-amz-date is missing)");
    const QStringList signedHeaders = match.captured(5).split(QLatin1Char(';'));
    for (const auto required :
         {QLatin1String("host"), QLatin1String("x-amz-date"), QLatin1String("x-amz-content-sha256")}) {
        if (!signedHeaders.contains(required))
            return QStringLiteral("The request signature does not cover %1").arg(required);
    }
    if (request.headers.contains("x-amz-security-token")
        && !signedHeaders.contains(QLatin1String("x-amz-security-token")))
        return QStringLiteral("The request signature does not cover x-amz-security-token");
    if (request.headers.value("x-amz-content-sha256")
        != QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex())
        return QStringLiteral("The provided x-amz-content-sha256 header does not match what was computed.");
    return {};
}

MockResponse MockEndpoints::bedrockError(int status, const QString &message, bool keepAlive, int serial,
                                         const MockFault *fault) const
{
    QByteArray body = jsonText(QJsonObject {{QStringLiteral("message"), message}});
    QByteArray extra = QByteArrayLiteral("x-amzn-ErrorType: ") + BedrockTranscript::exceptionFor(status)
        + QByteArrayLiteral(":http://internal.amazon.com/coral/com.amazon.bedrock/\r\n");
    if (fault) {
        if (!fault->body.isEmpty())
            body = fault->body;
        if (!fault->retryAfter.isEmpty())
            extra += QByteArrayLiteral("Retry-After: ") + fault->retryAfter + QByteArrayLiteral("\r\n");
    }
    MockResponse response;
    response.status = status;
    response.head = head(status, "application/json", contentLength(body.size()), keepAlive, serial, extra) + body;
    response.closeAfter = !keepAlive;
    return response;
}

MockResponse MockEndpoints::bedrockResponse(const Route &route, const std::optional<MockFault> &fault, int eventDelayMs,
                                            bool keepAlive, int serial) const
{
    if (route.errorStatus != 0)
        return bedrockError(route.errorStatus, route.errorMessage, keepAlive, serial);
    if (fault && fault->kind == MockFault::Kind::Status) {
        return bedrockError(
            fault->status,
            fault->status == 429
                ? QStringLiteral("Too many requests, please wait before trying again.")
                : QStringLiteral("Injected failure: status %1 (mock upstream fault)").arg(fault->status),
            keepAlive, serial, &*fault);
    }
    if (fault
        && (fault->kind == MockFault::Kind::ResetBeforeHeaders || fault->kind == MockFault::Kind::StallBeforeHeaders)) {
        MockResponse response;
        response.resetBeforeHead = fault->kind == MockFault::Kind::ResetBeforeHeaders;
        response.stall = fault->kind == MockFault::Kind::StallBeforeHeaders;
        return response;
    }
    const RecordingLibrary::Recording *recording = m_library->find(route.model);
    if (!recording || recording->family != Family::Anthropic)
        return bedrockError(400,
                            QStringLiteral("The provided model identifier is invalid (the mock upstream serves "
                                           "Bedrock from Anthropic recordings; %1 is none)")
                                .arg(route.model),
                            keepAlive, serial);
    if (!route.stream) {
        if (!recording->hasBody)
            return bedrockError(400, QStringLiteral("The recording %1 has only a streamed version").arg(route.model),
                                keepAlive, serial);
        MockResponse response;
        QByteArray body = jsonText(BedrockTranscript::converseBody(QJsonDocument::fromJson(recording->body).object()));
        if (fault && fault->kind == MockFault::Kind::InvalidJson)
            body.truncate(body.size() / 2);
        response.head = head(200, "application/json", contentLength(body.size()), keepAlive, serial) + body;
        response.closeAfter = !keepAlive;
        return response;
    }
    if (!recording->hasEvents)
        return bedrockError(400, QStringLiteral("The recording %1 has no streamed version").arg(route.model), keepAlive,
                            serial);
    QList<QByteArray> frames = BedrockTranscript::converseStream(recording->events);
    const int eventCount = int(frames.size());
    if (fault && fault->kind == MockFault::Kind::InvalidJson && eventCount > 0) {
        QByteArray &broken = frames[qBound(0, fault->afterEvents, eventCount - 1)];
        broken[broken.size() - 6] = char(broken.at(broken.size() - 6) ^ 0x20); // the message CRC no longer matches
    }
    MockResponse response;
    for (const QByteArray &frame : std::as_const(frames))
        response.pieces.append(chunk(frame));
    response.trailer = QByteArrayLiteral("0\r\n\r\n");
    response.pieceDelayMs = eventDelayMs;
    response.closeAfter = !keepAlive;
    response.head = head(200, "application/vnd.amazon.eventstream", "Transfer-Encoding: chunked", keepAlive, serial);
    applyStreamFault(response, fault, eventCount);
    return response;
}

QByteArray MockEndpoints::errorBody(Family family, int status, const QString &message)
{
    switch (family) {
    case Family::Anthropic: {
        QString type = QStringLiteral("api_error");
        if (status == 400)
            type = QStringLiteral("invalid_request_error");
        else if (status == 401)
            type = QStringLiteral("authentication_error");
        else if (status == 403)
            type = QStringLiteral("permission_error");
        else if (status == 404)
            type = QStringLiteral("not_found_error");
        else if (status == 413)
            type = QStringLiteral("request_too_large");
        else if (status == 429)
            type = QStringLiteral("rate_limit_error");
        else if (status == 529)
            type = QStringLiteral("overloaded_error");
        else if (status < 500)
            type = QStringLiteral("invalid_request_error");
        return jsonText(
            QJsonObject {{QStringLiteral("type"), QStringLiteral("error")},
                         {QStringLiteral("error"),
                          QJsonObject {{QStringLiteral("type"), type}, {QStringLiteral("message"), message}}}});
    }
    case Family::Gemini: {
        QString code = QStringLiteral("UNKNOWN");
        if (status == 400)
            code = QStringLiteral("INVALID_ARGUMENT");
        else if (status == 401)
            code = QStringLiteral("UNAUTHENTICATED");
        else if (status == 403)
            code = QStringLiteral("PERMISSION_DENIED");
        else if (status == 404)
            code = QStringLiteral("NOT_FOUND");
        else if (status == 429)
            code = QStringLiteral("RESOURCE_EXHAUSTED");
        else if (status == 500)
            code = QStringLiteral("INTERNAL");
        else if (status == 503)
            code = QStringLiteral("UNAVAILABLE");
        else if (status == 504)
            code = QStringLiteral("DEADLINE_EXCEEDED");
        return jsonText(QJsonObject {{QStringLiteral("error"),
                                      QJsonObject {{QStringLiteral("code"), status},
                                                   {QStringLiteral("message"), message},
                                                   {QStringLiteral("status"), code}}}});
    }
    case Family::OpenAi:
        break;
    }
    QString type = QStringLiteral("invalid_request_error");
    QJsonValue code = QJsonValue::Null;
    if (status == 401)
        code = QStringLiteral("invalid_api_key");
    else if (status == 404)
        code = QStringLiteral("model_not_found");
    else if (status == 429) {
        type = QStringLiteral("requests");
        code = QStringLiteral("rate_limit_exceeded");
    } else if (status >= 500) {
        type = QStringLiteral("server_error");
    }
    return jsonText(QJsonObject {{QStringLiteral("error"),
                                  QJsonObject {{QStringLiteral("message"), message},
                                               {QStringLiteral("type"), type},
                                               {QStringLiteral("param"), QJsonValue::Null},
                                               {QStringLiteral("code"), code}}}});
}

QByteArray MockEndpoints::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 529:
        return "Overloaded";
    default:
        return status < 500 ? "Client Error" : "Server Error";
    }
}

QByteArray MockEndpoints::chunk(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + QByteArrayLiteral("\r\n") + data + QByteArrayLiteral("\r\n");
}

} // namespace sluice::test
