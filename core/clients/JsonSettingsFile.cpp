#include "clients/JsonSettingsFile.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

namespace sluice {

Result<QJsonObject> JsonSettingsFile::parse(const std::optional<QByteArray> &existing, const QString &path)
{
    if (!existing || existing->trimmed().isEmpty())
        return QJsonObject();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*existing, &error);
    if (error.error != QJsonParseError::NoError) {
        // The line of the offset, for a message the user can act on.
        const int line = int(existing->left(error.offset).count('\n')) + 1;
        return makeError(QStringLiteral("%1 is not valid JSON (line %2: %3); it was left as it is. Fix it (comments "
                                        "are not supported either) and run the set-up again")
                             .arg(path)
                             .arg(line)
                             .arg(error.errorString()));
    }
    if (!document.isObject())
        return makeError(
            QStringLiteral("%1 does not hold a JSON object at the top; it was left as it is. Fix it and run the set-up "
                           "again")
                .arg(path));
    return document.object();
}

QByteArray JsonSettingsFile::serialize(const QJsonObject &object)
{
    // QJsonDocument indents by four spaces; the clients write two. JSON strings cannot hold a raw newline, so the
    // leading spaces of every line are indentation.
    const QByteArray indented = QJsonDocument(object).toJson(QJsonDocument::Indented);
    QByteArray result;
    result.reserve(indented.size());
    for (const QByteArray &line : indented.split('\n')) {
        qsizetype spaces = 0;
        while (spaces < line.size() && line.at(spaces) == ' ')
            ++spaces;
        result.append(QByteArray(spaces / 2, ' ')).append(line.mid(spaces)).append('\n');
    }
    // Empty arrays and objects on one line, as people write them.
    QString text = QString::fromUtf8(result);
    text.replace(QRegularExpression(QStringLiteral("([\\[{])\n *([\\]}])")), QStringLiteral("\\1\\2"));
    result = text.toUtf8();
    while (result.endsWith("\n\n"))
        result.chop(1);
    return result;
}

Result<QJsonObject> JsonSettingsFile::childObject(const QJsonObject &object, const QString &key, const QString &where)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return QJsonObject();
    if (!value.isObject())
        return makeError(
            QStringLiteral("%1: \"%2\" is not an object; it was left as it is. Fix it and run the set-up again")
                .arg(where, key));
    return value.toObject();
}

} // namespace sluice
