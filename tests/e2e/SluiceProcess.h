#pragma once

#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>

namespace sluice::test {

// A child process that announces "listening on http://..." on stdout once it serves (sluice --headless and
// sluice-mock-upstream both do). Stopped with SIGTERM when it goes out of scope.
class ListeningProcess
{
public:
    ListeningProcess() { m_process.setProcessChannelMode(QProcess::SeparateChannels); }
    ~ListeningProcess() { stop(); }

    QProcess &process() { return m_process; }

    // Starts the program and waits for its URL; on failure, returns an empty URL and keeps stderr in output().
    QUrl start(const QString &program, const QStringList &arguments, const QProcessEnvironment &env,
               int timeoutMs = 10000)
    {
        m_process.setProcessEnvironment(env);
        m_process.start(program, arguments);
        if (!m_process.waitForStarted(timeoutMs))
            return {};
        static const QRegularExpression listening(QStringLiteral("listening on (http://\\S+)"),
                                                  QRegularExpression::CaseInsensitiveOption);
        QUrl url;
        [[maybe_unused]] const bool announced = QTest::qWaitFor(
            [&] {
                m_stdout += m_process.readAllStandardOutput();
                const auto match = listening.match(QString::fromUtf8(m_stdout));
                if (match.hasMatch())
                    url = QUrl(match.captured(1));
                return url.isValid() || m_process.state() == QProcess::NotRunning;
            },
            timeoutMs);
        return url;
    }

    // SIGTERM, then the exit code (or -1 if it had to be killed).
    int stop(int timeoutMs = 10000)
    {
        if (m_process.state() == QProcess::NotRunning)
            return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
        m_process.terminate();
        if (!m_process.waitForFinished(timeoutMs)) {
            m_process.kill();
            m_process.waitForFinished();
            return -1;
        }
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    // Everything the process printed so far, stdout then stderr.
    QString output()
    {
        m_stdout += m_process.readAllStandardOutput();
        m_stderr += m_process.readAllStandardError();
        return QString::fromUtf8(m_stdout + m_stderr);
    }

private:
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
};

} // namespace sluice::test
