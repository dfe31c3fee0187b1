#include "CacheKey.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>

namespace sluice {

const QStringList &CacheKey::nonSemanticFields()
{
    // Transport (stream, stream_options), attribution (user, metadata, safety_identifier) and hints that do not
    // change what the model says (prompt_cache_key, store).
    static const QStringList fields
        = {QStringLiteral("stream"),   QStringLiteral("stream_options"),    QStringLiteral("user"),
           QStringLiteral("metadata"), QStringLiteral("safety_identifier"), QStringLiteral("prompt_cache_key"),
           QStringLiteral("store")};
    return fields;
}

QByteArray CacheKey::compute(ApiFormat format, const QString &tokenName, const QByteArray &body)
{
    QJsonObject object = QJsonDocument::fromJson(body).object();
    for (const QString &field : nonSemanticFields())
        object.remove(field);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData("sluice-response-cache-1\n");
    hash.addData(apiFormatName(format).toUtf8());
    hash.addData("\n");
    hash.addData(tokenName.toUtf8());
    hash.addData("\n");
    // QJsonObject keeps its keys sorted, so key order in the client's body does not matter.
    hash.addData(QJsonDocument(object).toJson(QJsonDocument::Compact));
    return hash.result();
}

} // namespace sluice
