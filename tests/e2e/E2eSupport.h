#pragma once

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>

#include "SluiceProcess.h"

// Helpers shared by the end-to-end tests: config files, the node SDK scripts' JSON reports, the headless gateway.
// SLUICE_E2E_DIR and SLUICE_BINARY come from tests/e2e/CMakeLists.txt.
namespace sluice::test {

inline bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(contents) == contents.size();
}

// The object at a dotted path ("anthropic.plain"); empty if any step is missing.
inline QJsonObject objectAt(const QJsonObject &root, const QString &path)
{
    QJsonObject object = root;
    for (const QString &key : path.split(QLatin1Char('.')))
        object = object.value(key).toObject();
    return object;
}

inline int intAt(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toInt(-1);
}

inline QString stringAt(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

// The answer's text starts as recorded and has its full length (UTF-16 units): nothing lost or doubled.
inline bool isRecordedText(const QString &text, QLatin1String start, int length)
{
    if (text.startsWith(start) && text.size() == length)
        return true;
    qWarning("unexpected text (%lld characters, expected %d starting with \"%s\"): %s", qlonglong(text.size()), length,
             start.data(), qPrintable(text.left(120)));
    return false;
}

// Runs `node script` in tests/e2e with the system environment plus extra; returns the JSON object it printed,
// or an empty object (with a warning saying why) if it failed, timed out or printed no JSON object.
inline QJsonObject runNode(const QString &script, const QProcessEnvironment &extra)
{
    QProcess node;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(extra);
    node.setProcessEnvironment(env);
    node.setWorkingDirectory(QStringLiteral(SLUICE_E2E_DIR));
    node.start(QStringLiteral("node"), {script});
    if (!node.waitForFinished(60000)) {
        node.kill();
        node.waitForFinished();
        qWarning("node %s did not finish in 60 s", qPrintable(script));
        return {};
    }
    const QByteArray err = node.readAllStandardError();
    const QByteArray out = node.readAllStandardOutput();
    if (node.exitStatus() != QProcess::NormalExit || node.exitCode() != 0) {
        qWarning("node %s failed (exit %d):\n%s\n%s", qPrintable(script), node.exitCode(), out.constData(),
                 err.constData());
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &parseError);
    if (!doc.isObject())
        qWarning("node %s printed no JSON object (%s):\n%s", qPrintable(script), qPrintable(parseError.errorString()),
                 out.constData());
    return doc.object();
}

// Starts `sluice --headless` on a free port with this config and data folder; see ListeningProcess::start.
inline QUrl startHeadlessSluice(ListeningProcess &sluice, const QString &configPath, const QString &dataDir,
                                const QProcessEnvironment &env)
{
    return sluice.start(QStringLiteral(SLUICE_BINARY),
                        {QStringLiteral("--headless"), QStringLiteral("--config"), configPath,
                         QStringLiteral("--data-dir"), dataDir, QStringLiteral("--port"), QStringLiteral("0")},
                        env);
}

} // namespace sluice::test
