#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "common/Result.h"

namespace sluice {

// Reading and writing the JSON settings files of the clients (Claude Code, Gemini CLI, opencode). The file is
// read with QJsonDocument and written back indented by two spaces: values are kept, but object keys come back in
// alphabetical order and the layout is normalized (undo restores the original bytes). JSON with comments is
// refused rather than losing them.
class JsonSettingsFile
{
public:
    // The top-level object of existing (an empty object when there is no file or it is empty).
    static Result<QJsonObject> parse(const std::optional<QByteArray> &existing, const QString &path);
    static QByteArray serialize(const QJsonObject &object);
    // object[key] as an object, or an empty one; an error when it is there but not an object.
    static Result<QJsonObject> childObject(const QJsonObject &object, const QString &key, const QString &where);
};

} // namespace sluice
