#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "api/SseParser.h"

// Request bodies and answer readers shared by the gateway integration tests.
namespace sluice::test {

inline QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

inline QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The "error" object of an OpenAI- or Anthropic-style error answer.
inline QJsonObject errorOf(const QByteArray &body)
{
    return jsonOf(body).value(QLatin1String("error")).toObject();
}

inline QString errorMessageOf(const QByteArray &body)
{
    return errorOf(body).value(QLatin1String("message")).toString();
}

inline QList<SseEvent> eventsOf(const QByteArray &body)
{
    SseParser parser;
    QList<SseEvent> events;
    parser.feed(body, events);
    return events;
}

// The text of an OpenAI chat completion's first choice.
inline QString chatMessageText(const QByteArray &body)
{
    return jsonOf(body)
        .value(QLatin1String("choices"))
        .toArray()
        .first()
        .toObject()
        .value(QLatin1String("message"))
        .toObject()
        .value(QLatin1String("content"))
        .toString();
}

// The text of a streamed OpenAI chat completion: every choice's content deltas, in order.
inline QString chatStreamText(const QList<SseEvent> &events)
{
    QString text;
    for (const SseEvent &event : events) {
        for (const QJsonValue &choice : jsonOf(event.data).value(QLatin1String("choices")).toArray())
            text += choice.toObject()
                        .value(QLatin1String("delta"))
                        .toObject()
                        .value(QLatin1String("content"))
                        .toString();
    }
    return text;
}

// The text of a streamed Anthropic message: its content_block_delta texts, in order.
inline QString anthropicStreamText(const QList<SseEvent> &events)
{
    QString text;
    for (const SseEvent &event : events) {
        if (event.event == "content_block_delta")
            text += jsonOf(event.data).value(QLatin1String("delta")).toObject().value(QLatin1String("text")).toString();
    }
    return text;
}

// One user message; stream only when asked; extra's fields are added last (and so win).
inline QByteArray chatBody(const QString &model, bool stream, const QJsonObject &extra = {},
                           const QString &prompt = QStringLiteral("Invent a holiday."))
{
    QJsonObject body {{QStringLiteral("model"), model},
                      {QStringLiteral("messages"),
                       QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                                {QStringLiteral("content"), prompt}}}}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return toJson(body);
}

// An Anthropic Messages request with max_tokens 256 and one user message; as chatBody otherwise.
inline QByteArray anthropicBody(const QString &model, bool stream, const QJsonObject &extra = {},
                                const QString &prompt = QStringLiteral("Hello, how are you?"))
{
    QJsonObject fields {{QStringLiteral("max_tokens"), 256}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        fields.insert(it.key(), it.value());
    return chatBody(model, stream, fields, prompt);
}

} // namespace sluice::test
