// The same-format fast path's view of an OpenAI chat body (OpenAiChatRequest): parse() reads only the top-level
// members it needs from a scan (JsonMembers), and upstreamBody() splices the upstream model name and
// stream_options.include_usage into the client's own bytes. Where Qt's full JSON parser accepts the body, both
// must agree with it: parse() reads the same values, and the spliced body is the same object with only those
// two members changed.
#include <QJsonDocument>
#include <QJsonObject>

#include "FuzzSupport.h"
#include "api/OpenAiChatRequest.h"

using namespace sluice;

namespace {

QJsonObject withoutEditedMembers(QJsonObject object)
{
    object.remove(QLatin1String("model"));
    object.remove(QLatin1String("stream_options"));
    return object;
}

void checkUpstreamBody(const OpenAiChatRequest &request, const QByteArray &body, const QJsonObject &original,
                       const QString &upstreamModel)
{
    const QByteArray upstream = request.upstreamBody(body, upstreamModel);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(upstream, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        fuzz::contractBroken("upstreamBody() is not a JSON object although parse() accepted the body");
    const QJsonObject root = document.object();
    if (root.value(QLatin1String("model")).toString() != upstreamModel)
        fuzz::contractBroken("upstreamBody() does not name the upstream model");
    if (request.stream()
        && !root.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool())
        fuzz::contractBroken("upstreamBody() of a stream does not ask for usage");
    if (withoutEditedMembers(root) != withoutEditedMembers(original))
        fuzz::contractBroken("upstreamBody() changed members other than model and stream_options");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQtLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = fuzz::bytesOf(data, size);
    const Result<OpenAiChatRequest> request = OpenAiChatRequest::parse(body);
    if (!request)
        return 0;

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError) {
        // By design (JsonMembers): the scan checks the structure, not the spelling of the literals and numbers of
        // members parse() does not read; such a body goes upstream as the client sent it, for the provider to judge.
        (void)request->upstreamBody(body, QStringLiteral("upstream-model"));
        return 0;
    }
    if (!document.isObject())
        fuzz::contractBroken("parse() accepted a body that is not a JSON object");
    const QJsonObject original = document.object();
    if (original.value(QLatin1String("model")).toString() != request->model())
        fuzz::contractBroken("parse() read a different model than the JSON parser");
    if (original.value(QLatin1String("stream")).toBool(false) != request->stream())
        fuzz::contractBroken("parse() read a different stream flag than the JSON parser");

    checkUpstreamBody(*request, body, original, request->model());
    checkUpstreamBody(*request, body, original, QStringLiteral("upstream-\"model\"\\\u00e9"));
    return 0;
}
