#include "Autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace sluice {

namespace {

constexpr qint64 MaxEntryBytes = 64 * 1024;

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

// The value of KEY in the [Desktop Entry] group, lower-cased; empty when absent.
QString desktopEntryValue(const QByteArray &content, QLatin1String key)
{
    bool inMainGroup = false;
    for (const QByteArray &rawLine : content.split('\n')) {
        const QString line = QString::fromUtf8(rawLine).trimmed();
        if (line.startsWith(QLatin1Char('['))) {
            inMainGroup = line == QLatin1String("[Desktop Entry]");
            continue;
        }
        if (!inMainGroup)
            continue;
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (equals > 0 && line.left(equals).trimmed() == key)
            return line.mid(equals + 1).trimmed().toLower();
    }
    return {};
}

} // namespace

QString Autostart::applicationId()
{
    return QStringLiteral("app.sluice.Sluice");
}

QString Autostart::entryFileName()
{
    return applicationId() + QStringLiteral(".desktop");
}

Autostart::Autostart()
    : Autostart(installedEntry(), userAutostartDir())
{ }

Autostart::Autostart(const QString &sourceEntry, const QString &autostartDir)
    : m_sourceEntry(sourceEntry)
    , m_autostartDir(autostartDir)
{ }

QString Autostart::installedEntry()
{
    const QString relative = QStringLiteral("sluice/autostart/") + entryFileName();
    if (QCoreApplication::instance()) {
        const QString beside
            = QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral("../share/") + relative);
        if (QFileInfo::exists(beside))
            return QDir::cleanPath(beside);
    }
    return QStandardPaths::locate(QStandardPaths::GenericDataLocation, relative);
}

QString Autostart::userAutostartDir()
{
    const QString configHome = qEnvironmentVariable("XDG_CONFIG_HOME");
    const QString base = !configHome.isEmpty() && QDir::isAbsolutePath(configHome)
        ? configHome
        : QDir::homePath() + QStringLiteral("/.config");
    return QDir::cleanPath(base + QStringLiteral("/autostart"));
}

QString Autostart::entryPath() const
{
    return QDir(m_autostartDir).filePath(entryFileName());
}

bool Autostart::isEnabled() const
{
    QFile entry(entryPath());
    if (!entry.open(QIODevice::ReadOnly))
        return false;
    const QByteArray content = entry.read(MaxEntryBytes);
    return desktopEntryValue(content, QLatin1String("Hidden")) != QLatin1String("true")
        && desktopEntryValue(content, QLatin1String("X-GNOME-Autostart-enabled")) != QLatin1String("false");
}

Result<void> Autostart::enable() const
{
    if (m_sourceEntry.isEmpty() || !QFileInfo(m_sourceEntry).isFile()) {
        return makeError(QStringLiteral("the autostart entry share/sluice/autostart/%1 is not installed; start at "
                                        "login works with an installed Sluice (scripts/package.sh builds a package)")
                             .arg(entryFileName()));
    }
    QFile source(m_sourceEntry);
    if (!source.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot read %1: %2").arg(shown(m_sourceEntry), source.errorString()));
    const QByteArray content = source.read(MaxEntryBytes);
    if (!content.contains("[Desktop Entry]"))
        return makeError(QStringLiteral("%1 is not a desktop entry").arg(shown(m_sourceEntry)));

    if (!QDir().mkpath(m_autostartDir))
        return makeError(QStringLiteral("cannot create the folder %1").arg(shown(m_autostartDir)));
    QSaveFile copy(entryPath());
    if (!copy.open(QIODevice::WriteOnly) || copy.write(content) != content.size() || !copy.commit())
        return makeError(QStringLiteral("cannot write %1: %2").arg(shown(entryPath()), copy.errorString()));
    return {};
}

Result<void> Autostart::disable() const
{
    QFile entry(entryPath());
    if (!entry.exists() || entry.remove())
        return {};
    return makeError(QStringLiteral("cannot remove %1: %2").arg(shown(entryPath()), entry.errorString()));
}

} // namespace sluice
