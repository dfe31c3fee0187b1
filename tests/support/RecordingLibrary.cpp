#include "RecordingLibrary.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sluice::test {

namespace {

Result<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("Cannot read recording %1: %2").arg(path, file.errorString()));
    return file.readAll();
}

QList<QByteArray> splitEvents(const QByteArray &text)
{
    QList<QByteArray> events;
    for (QByteArray line : text.split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (!line.trimmed().isEmpty())
            events.append(line);
    }
    return events;
}

} // namespace

QString RecordingLibrary::defaultDirectory()
{
    return qEnvironmentVariable("SLUICE_RECORDINGS_DIR");
}

Result<RecordingLibrary> RecordingLibrary::load(const QString &directory)
{
    if (directory.isEmpty())
        return makeError(QStringLiteral("No recordings folder given: pass one or set SLUICE_RECORDINGS_DIR to the "
                                        "provider-recordings folder"));
    const QDir root(directory);
    if (!root.exists())
        return makeError(QStringLiteral("Recordings folder %1 does not exist (set SLUICE_RECORDINGS_DIR to the "
                                        "provider-recordings folder)")
                             .arg(directory));

    RecordingLibrary library;
    library.m_directory = root.absolutePath();
    const QStringList folders = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &folder : folders) {
        const QDir dir(root.filePath(folder));
        const QFileInfoList files
            = dir.entryInfoList({QStringLiteral("*.json"), QStringLiteral("*.chunks.txt")}, QDir::Files, QDir::Name);
        for (const QFileInfo &info : files) {
            const QString fileName = info.fileName();
            const bool isEvents = fileName.endsWith(QLatin1String(".chunks.txt"));
            const QString name = fileName.left(fileName.size() - (isEvents ? 11 : 5));
            Recording &recording = library.m_recordings[name];
            if (!recording.folder.isEmpty() && recording.folder != folder)
                return makeError(QStringLiteral("Recording %1 exists in two provider folders (%2 and %3); names must "
                                                "be unique")
                                     .arg(name, recording.folder, folder));
            recording.name = name;
            recording.folder = folder;
            recording.family = familyOfFolder(folder);
            auto content = readFile(info.filePath());
            if (!content)
                return content.error();
            if (isEvents) {
                recording.hasEvents = true;
                recording.events = splitEvents(*content);
            } else {
                recording.hasBody = true;
                recording.body = *content;
            }
        }
    }
    if (library.m_recordings.isEmpty())
        return makeError(QStringLiteral("Recordings folder %1 holds no provider folders with .json or .chunks.txt "
                                        "files")
                             .arg(directory));
    return library;
}

QStringList RecordingLibrary::names() const
{
    QStringList result = m_recordings.keys();
    result.sort();
    return result;
}

const RecordingLibrary::Recording *RecordingLibrary::find(const QString &name) const
{
    const auto it = m_recordings.constFind(name);
    return it == m_recordings.cend() ? nullptr : &it.value();
}

RecordingLibrary::Family RecordingLibrary::familyOfFolder(const QString &folder)
{
    if (folder == QLatin1String("anthropic"))
        return Family::Anthropic;
    if (folder == QLatin1String("google") || folder == QLatin1String("gemini"))
        return Family::Gemini;
    return Family::OpenAi;
}

QString RecordingLibrary::familyName(Family family)
{
    switch (family) {
    case Family::OpenAi:
        return QStringLiteral("OpenAI");
    case Family::Anthropic:
        return QStringLiteral("Anthropic");
    case Family::Gemini:
        return QStringLiteral("Gemini");
    }
    return {};
}

QByteArray RecordingLibrary::frameEvent(Family family, const QByteArray &payload)
{
    if (family == Family::Anthropic) {
        const QByteArray type
            = QJsonDocument::fromJson(payload).object().value(QLatin1String("type")).toString().toUtf8();
        return QByteArrayLiteral("event: ") + type + QByteArrayLiteral("\ndata: ") + payload
            + QByteArrayLiteral("\n\n");
    }
    return QByteArrayLiteral("data: ") + payload + QByteArrayLiteral("\n\n");
}

bool RecordingLibrary::isUsageOnlyChunk(const QByteArray &payload)
{
    const QJsonObject chunk = QJsonDocument::fromJson(payload).object();
    const QJsonValue usage = chunk.value(QLatin1String("usage"));
    const QJsonValue choices = chunk.value(QLatin1String("choices"));
    return usage.isObject() && choices.isArray() && choices.toArray().isEmpty();
}

int RecordingLibrary::errorStatus(const QByteArray &body)
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    const QJsonValue error = root.value(QLatin1String("error"));
    if (!error.isObject())
        return 0;
    const QJsonObject object = error.toObject();
    const int code = object.value(QLatin1String("code")).toInt(0);
    if (code >= 400 && code <= 599)
        return code;
    const QString type = object.value(QLatin1String("type")).toString();
    if (type == QLatin1String("authentication_error"))
        return 401;
    if (type == QLatin1String("permission_error"))
        return 403;
    if (type == QLatin1String("not_found_error"))
        return 404;
    if (type.contains(QLatin1String("rate_limit")))
        return 429;
    if (type == QLatin1String("server_error") || type == QLatin1String("api_error"))
        return 500;
    if (type == QLatin1String("overloaded_error"))
        return 529;
    return 400;
}

} // namespace sluice::test
