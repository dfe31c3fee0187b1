#include "OpenAiError.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace sluice {

QByteArray OpenAiError::typeForStatus(int status)
{
    switch (status) {
    case 400:
    case 404:
    case 409:
    case 413:
    case 422:
    case 431:
        return QByteArrayLiteral("invalid_request_error");
    case 401:
        return QByteArrayLiteral("authentication_error");
    case 403:
        return QByteArrayLiteral("permission_error");
    case 429:
        return QByteArrayLiteral("rate_limit_error");
    default:
        return status >= 500 ? QByteArrayLiteral("server_error") : QByteArrayLiteral("invalid_request_error");
    }
}

QByteArray OpenAiError::toJson() const
{
    QJsonObject error {
        {QStringLiteral("message"), message},
        {QStringLiteral("type"), QString::fromLatin1(type.isEmpty() ? typeForStatus(status) : type)},
        {QStringLiteral("param"), param.isEmpty() ? QJsonValue() : QJsonValue(QString::fromLatin1(param))},
        {QStringLiteral("code"), code.isEmpty() ? QJsonValue() : QJsonValue(QString::fromLatin1(code))},
    };
    return QJsonDocument(QJsonObject {{QStringLiteral("error"), error}}).toJson(QJsonDocument::Compact);
}

} // namespace sluice
