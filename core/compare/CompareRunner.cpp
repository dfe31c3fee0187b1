#include "CompareRunner.h"

#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUuid>

#include "api/CanonicalEvent.h"
#include "api/FormatCodec.h"
#include "api/StreamDecoder.h"
#include "compare/CompareCall.h"
#include "gateway/TokenAuthenticator.h"

namespace sluice {

struct CompareRunner::Call
{
    QNetworkReply *reply = nullptr;
    std::unique_ptr<StreamDecoder> decoder;
    QByteArray errorBody; // a non-2xx answer, read whole
    qint64 startedMs = 0;
    bool cancelled = false;
};

CompareRunner::CompareRunner(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    // Comparisons talk to the gateway on the loopback: no proxy may sit in between.
    m_network->setProxy(QNetworkProxy::NoProxy);
}

CompareRunner::~CompareRunner()
{
    for (const auto &call : m_calls) {
        if (call->reply) {
            call->reply->disconnect(this);
            call->reply->abort();
        }
    }
}

void CompareRunner::setGateway(const QUrl &baseUrl)
{
    m_baseUrl = baseUrl;
    const QHostAddress host(baseUrl.host());
    if (host == QHostAddress::AnyIPv4 || host == QHostAddress(QHostAddress::Any))
        m_baseUrl.setHost(QStringLiteral("127.0.0.1"));
    else if (host == QHostAddress::AnyIPv6)
        m_baseUrl.setHost(QStringLiteral("::1"));
}

QString CompareRunner::newRunId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

Result<void> CompareRunner::start(const CompareRequest &request, const QString &runId)
{
    if (m_running)
        return makeError(QStringLiteral("A comparison is running: wait for it or cancel it first."));
    if (Result<void> valid = request.validate(); !valid)
        return valid;
    if (!m_baseUrl.isValid())
        return makeError(QStringLiteral("The gateway is not running, so there is nothing to compare through."));
    for (const auto &call : m_calls) {
        if (call->reply)
            call->reply->deleteLater();
    }
    m_calls.clear();
    m_result = {};
    m_result.id = runId.isEmpty() ? newRunId() : runId;
    m_result.createdAt = QDateTime::currentDateTimeUtc();
    m_result.request = request;
    m_running = true;
    m_clock.start();
    const QString base = m_baseUrl.toString(QUrl::StripTrailingSlash);
    for (int i = 0; i < request.models.size(); ++i) {
        CompareColumn column;
        column.model = request.models.at(i);
        m_result.columns.append(column);
        m_calls.push_back(std::make_unique<Call>());
    }
    for (int i = 0; i < request.models.size(); ++i) {
        Call &call = *m_calls.at(size_t(i));
        const Result<CompareCall> prepared = CompareCall::prepare(request.format, request.body, request.models.at(i));
        if (!prepared) {
            fail(i, prepared.errorMessage());
            continue;
        }
        QNetworkRequest http(QUrl(base + QString::fromLatin1(prepared->path)));
        http.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        http.setRawHeader(QByteArrayLiteral("Authorization"),
                          QByteArrayLiteral("Bearer ") + TokenAuthenticator::localCallerSecret());
        http.setRawHeader(QByteArrayLiteral("x-sluice-compare"), m_result.id.toLatin1());
        http.setRawHeader(QByteArrayLiteral("User-Agent"), QByteArrayLiteral("Sluice-Compare"));
        http.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        http.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
        http.setTransferTimeout(0);
        call.decoder = FormatCodec::forFormat(request.format).createStreamDecoder();
        call.startedMs = m_clock.elapsed();
        m_result.columns[i].state = CompareColumn::State::Running;
        call.reply = m_network->post(http, prepared->body);
        connect(call.reply, &QNetworkReply::readyRead, this, [this, i] { onReadyRead(i); });
        connect(call.reply, &QNetworkReply::finished, this, [this, i] { onFinished(i); });
        emit columnUpdated(i);
    }
    finishIfDone();
    return {};
}

void CompareRunner::cancel()
{
    for (size_t i = 0; i < m_calls.size(); ++i) {
        Call &call = *m_calls.at(i);
        if (call.reply && !m_result.columns.at(int(i)).finished()) {
            call.cancelled = true;
            call.reply->abort(); // finished() follows, synchronously
        }
    }
}

void CompareRunner::onReadyRead(int column)
{
    Call &call = *m_calls.at(size_t(column));
    CompareColumn &state = m_result.columns[column];
    const QByteArray bytes = call.reply->readAll();
    if (state.httpStatus == 0)
        state.httpStatus = call.reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (state.requestId.isEmpty())
        state.requestId = QString::fromLatin1(call.reply->rawHeader(QByteArrayLiteral("x-sluice-request-id")));
    if (state.httpStatus < 200 || state.httpStatus >= 300) {
        call.errorBody += bytes.left(1024 * 1024 - call.errorBody.size());
        return;
    }
    apply(column, call.decoder->feed(bytes));
    emit columnUpdated(column);
}

void CompareRunner::apply(int column, const QList<CanonicalEvent> &events)
{
    CompareColumn &state = m_result.columns[column];
    const Call &call = *m_calls.at(size_t(column));
    for (const CanonicalEvent &event : events) {
        switch (event.type) {
        case CanonicalEvent::Type::TextDelta:
        case CanonicalEvent::Type::ThinkingDelta:
        case CanonicalEvent::Type::ToolCallStart:
            if (state.ttftMs < 0)
                state.ttftMs = m_clock.elapsed() - call.startedMs;
            if (event.type == CanonicalEvent::Type::TextDelta) {
                state.text += event.text;
            } else if (event.type == CanonicalEvent::Type::ThinkingDelta) {
                if (!event.redacted)
                    state.thinking += event.text;
            } else {
                while (state.toolCalls.size() <= event.index)
                    state.toolCalls.append(CompareToolCall());
                state.toolCalls[event.index].id = event.toolCallId;
                state.toolCalls[event.index].name = event.toolName;
            }
            break;
        case CanonicalEvent::Type::ToolArgumentsDelta:
            while (state.toolCalls.size() <= event.index)
                state.toolCalls.append(CompareToolCall());
            state.toolCalls[event.index].arguments += event.text;
            break;
        case CanonicalEvent::Type::Usage:
            state.inputTokens = event.usage.input;
            state.outputTokens = event.usage.output;
            state.cachedTokens = event.usage.cached;
            state.reasoningTokens = event.usage.reasoning;
            break;
        case CanonicalEvent::Type::Finish:
            state.finishReason = finishReasonName(event.finishReason);
            break;
        case CanonicalEvent::Type::Error:
            state.error = event.error.message.isEmpty() ? QStringLiteral("The stream ended with an error.")
                                                        : event.error.message;
            state.state = CompareColumn::State::Failed;
            break;
        case CanonicalEvent::Type::Start:
            break;
        }
    }
}

void CompareRunner::onFinished(int column)
{
    Call &call = *m_calls.at(size_t(column));
    CompareColumn &state = m_result.columns[column];
    if (state.finished())
        return;
    if (call.reply->bytesAvailable() > 0)
        onReadyRead(column);
    if (state.httpStatus == 0)
        state.httpStatus = call.reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (state.requestId.isEmpty())
        state.requestId = QString::fromLatin1(call.reply->rawHeader(QByteArrayLiteral("x-sluice-request-id")));
    state.latencyMs = m_clock.elapsed() - call.startedMs;
    if (call.cancelled) {
        state.state = CompareColumn::State::Cancelled;
        state.error = QStringLiteral("Cancelled.");
    } else if (state.httpStatus >= 200 && state.httpStatus < 300) {
        apply(column, call.decoder->finish());
        if (state.state != CompareColumn::State::Failed)
            state.state = CompareColumn::State::Done;
    } else if (state.httpStatus > 0) {
        const CanonicalError error
            = FormatCodec::forFormat(m_result.request.format).decodeError(state.httpStatus, call.errorBody);
        fail(column, error.message.isEmpty() ? QStringLiteral("HTTP %1").arg(state.httpStatus) : error.message);
        return;
    } else {
        fail(column, QStringLiteral("Cannot reach the gateway: %1").arg(call.reply->errorString()));
        return;
    }
    emit columnUpdated(column);
    emit columnFinished(column);
    finishIfDone();
}

void CompareRunner::fail(int column, const QString &message)
{
    CompareColumn &state = m_result.columns[column];
    state.state = CompareColumn::State::Failed;
    state.error = message;
    emit columnUpdated(column);
    emit columnFinished(column);
    finishIfDone();
}

void CompareRunner::finishIfDone()
{
    if (!m_running)
        return;
    for (const CompareColumn &column : std::as_const(m_result.columns)) {
        if (!column.finished())
            return;
    }
    m_running = false;
    emit finished();
}

} // namespace sluice
