#include "PostgresCluster.h"

#include <pwd.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QTcpServer>
#include <QVersionNumber>

namespace sluice::test {

namespace {

int freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

} // namespace

PostgresCluster::PostgresCluster()
    : m_dir(QDir::tempPath() + QStringLiteral("/sluice-pg-XXXXXX"))
{
    m_password = QString::number(QRandomGenerator::global()->generate64(), 36);
    if (geteuid() == 0) {
        for (const char *candidate : {"postgres", "nobody"}) {
            if (getpwnam(candidate)) {
                m_runUser = QString::fromLatin1(candidate);
                break;
            }
        }
    }
}

PostgresCluster::~PostgresCluster()
{
    if (m_running) {
        QString ignored;
        stop(&ignored, StopMode::Immediate);
    }
}

QString PostgresCluster::missing()
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return QStringLiteral("the Qt PostgreSQL driver (libqt6sql6-psql) is not installed");
    if (binDir().isEmpty())
        return QStringLiteral("PostgreSQL (the postgresql package) is not installed");
    return {};
}

QString PostgresCluster::binDir()
{
    const QDir versions(QStringLiteral("/usr/lib/postgresql"));
    QString best;
    QVersionNumber bestVersion;
    for (const QString &name : versions.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString bin = versions.filePath(name + QStringLiteral("/bin"));
        const QVersionNumber version = QVersionNumber::fromString(name);
        if (QFile::exists(bin + QStringLiteral("/initdb")) && QFile::exists(bin + QStringLiteral("/pg_ctl"))
            && (best.isEmpty() || version > bestVersion)) {
            best = bin;
            bestVersion = version;
        }
    }
    return best;
}

bool PostgresCluster::required()
{
    return qEnvironmentVariableIsSet("SLUICE_REQUIRE_POSTGRES");
}

QString PostgresCluster::socketDir() const
{
    return m_dir.path();
}

QString PostgresCluster::serverLog() const
{
    QFile log(m_dir.filePath(QStringLiteral("server.log")));
    if (!log.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(log.readAll().right(4000));
}

bool PostgresCluster::run(const QString &program, const QStringList &arguments, QString *error, bool asServerUser,
                          int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    const QString path = QDir(binDir()).filePath(program);
    if (asServerUser && !m_runUser.isEmpty())
        process.start(QStringLiteral("runuser"),
                      QStringList {QStringLiteral("-u"), m_runUser, QStringLiteral("--"), path} + arguments);
    else
        process.start(path, arguments);
    if (!process.waitForStarted(10'000)) {
        *error = QStringLiteral("%1 did not start: %2").arg(program, process.errorString());
        return false;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        *error = QStringLiteral("%1 did not finish in %2 ms").arg(program).arg(timeoutMs);
        return false;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *error = QStringLiteral("%1 failed (exit %2): %3")
                     .arg(program)
                     .arg(process.exitCode())
                     .arg(QString::fromLocal8Bit(process.readAll()).trimmed());
        return false;
    }
    return true;
}

bool PostgresCluster::initialize(QString *error)
{
    if (binDir().isEmpty()) {
        *error = QStringLiteral("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run "
                                "scripts/install-deps.sh");
        return false;
    }
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary folder: %1").arg(m_dir.errorString());
        return false;
    }
    const QString passwordFile = m_dir.filePath(QStringLiteral("password"));
    {
        QFile file(passwordFile);
        if (!file.open(QIODevice::WriteOnly) || file.write(m_password.toUtf8() + '\n') < 0) {
            *error = QStringLiteral("cannot write %1").arg(passwordFile);
            return false;
        }
    }
    if (!m_runUser.isEmpty()) {
        const struct passwd *user = getpwnam(m_runUser.toLocal8Bit().constData());
        for (const QString &path : {m_dir.path(), passwordFile}) {
            if (!user || chown(QFile::encodeName(path).constData(), user->pw_uid, user->pw_gid) != 0) {
                *error = QStringLiteral("cannot hand %1 to the user %2").arg(path, m_runUser);
                return false;
            }
        }
    }
    if (!run(QStringLiteral("initdb"),
             {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-U"), user(),
              QStringLiteral("--pwfile=") + passwordFile, QStringLiteral("--auth-local=trust"),
              QStringLiteral("--auth-host=scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
              QStringLiteral("--locale=C"), QStringLiteral("--no-sync")},
             error))
        return false;
    QFile::remove(passwordFile);
    m_initialized = true;
    return true;
}

bool PostgresCluster::start(QString *error)
{
    if (m_running)
        return true;
    if (!m_initialized && !initialize(error))
        return false;
    // A port picked free can be taken before the server binds it: try a few.
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (m_port == 0 || attempt > 0)
            m_port = freePort();
        const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off "
                                               "-c full_page_writes=off -c max_connections=200")
                                    .arg(m_port)
                                    .arg(m_dir.path());
        if (run(QStringLiteral("pg_ctl"),
                {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-o"), options,
                 QStringLiteral("-l"), m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("-w"),
                 QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("start")},
                error)) {
            m_running = true;
            return true;
        }
        if (!serverLog().contains(QLatin1String("could not bind")))
            break;
    }
    *error += QStringLiteral("\nserver log:\n") + serverLog();
    return false;
}

bool PostgresCluster::stop(QString *error, StopMode mode)
{
    if (!m_running)
        return true;
    const bool stopped = run(QStringLiteral("pg_ctl"),
                             {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-m"),
                              mode == StopMode::Fast ? QStringLiteral("fast") : QStringLiteral("immediate"),
                              QStringLiteral("-w"), QStringLiteral("stop")},
                             error);
    if (stopped)
        m_running = false;
    return stopped;
}

bool PostgresCluster::createDatabase(const QString &name, QString *error)
{
    return run(QStringLiteral("createdb"),
               {QStringLiteral("-h"), socketDir(), QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-U"),
                user(), name},
               error, false);
}

} // namespace sluice::test
