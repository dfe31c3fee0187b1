#include "CommandLine.h"

#include <QStandardPaths>
#include <QTextStream>

namespace sluice {

int CommandLine::badUsage(QTextStream &err, QLatin1String command, const QString &problem, const QString &usage)
{
    err << "sluice " << command << ": " << problem << "\n\n" << usage;
    err.flush();
    return ExitUsage;
}

int CommandLine::fail(QTextStream &err, QLatin1String command, const QString &message)
{
    err << "sluice " << command << ": " << message << '\n';
    err.flush();
    return ExitFailed;
}

QString CommandLine::dataDirOr(const QString &given)
{
    return given.isEmpty() ? defaultDataDir() : given;
}

QString CommandLine::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/sluice");
}

} // namespace sluice
