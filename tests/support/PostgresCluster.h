#pragma once

#include <memory>

#include <QString>
#include <QTemporaryDir>

namespace sluice::test {

// A throw-away PostgreSQL cluster for tests: initdb in a temporary folder, a server on a free port bound to
// 127.0.0.1 with its socket in that folder, stopped and deleted at the end. Nothing system-wide is touched. The
// binaries come from the newest /usr/lib/postgresql/*/bin (Debian's postgresql package, which scripts/install-deps.sh
// installs). PostgreSQL refuses to run as root, so as root the server runs as the postgres user (or nobody).
// TCP connections need the password (scram-sha-256), like a team server; the socket is trusted, for set-up.
class PostgresCluster
{
public:
    PostgresCluster();
    ~PostgresCluster(); // stops the server

    // The folder with initdb, pg_ctl and postgres; empty when PostgreSQL is not installed.
    static QString binDir();
    // What the PostgreSQL tests lack, said for a skip or a failure ("the Qt PostgreSQL driver (libqt6sql6-psql) is
    // not installed", ...); empty when the Qt driver and the server are both installed.
    static QString missing();
    // Whether PostgreSQL tests must run rather than skip: SLUICE_REQUIRE_POSTGRES is set (scripts/test.sh, CI).
    static bool required();

    // initdb (the first time) and start; false with *error when it cannot.
    bool start(QString *error);
    // fast: disconnects clients, then shuts down cleanly; immediate: like a crash (recovery at the next start).
    enum class StopMode { Fast, Immediate };
    bool stop(QString *error, StopMode mode = StopMode::Fast);
    bool isRunning() const { return m_running; }
    bool createDatabase(const QString &name, QString *error);

    QString host() const { return QStringLiteral("127.0.0.1"); }
    int port() const { return m_port; }
    QString user() const { return QStringLiteral("sluice"); }
    QString password() const { return m_password; }
    QString socketDir() const;
    // The server's log, for a failing test's message.
    QString serverLog() const;

private:
    bool run(const QString &program, const QStringList &arguments, QString *error, bool asServerUser = true,
             int timeoutMs = 60'000);
    bool initialize(QString *error);

    QTemporaryDir m_dir;
    QString m_runUser; // as root: the user the server runs as
    QString m_password;
    int m_port = 0;
    bool m_initialized = false;
    bool m_running = false;
};

} // namespace sluice::test
