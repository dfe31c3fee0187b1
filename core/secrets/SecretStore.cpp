#include "SecretStore.h"

#include <memory>

#include <QCoreApplication>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QSemaphore>
#include <QThread>

#include <qt6keychain/keychain.h>

#include "config/Config.h"

namespace sluice {

namespace {
Q_LOGGING_CATEGORY(lcSecrets, "sluice.secrets")

// Not a valid key name (':' is not allowed there), so it can never collide with a stored secret.
const QString IndexKey = QStringLiteral("sluice:index");

const QString NoBackendAdvice = QStringLiteral(
    "On Linux start a Secret Service provider (GNOME Keyring, KWallet) in your desktop session; on a headless "
    "server, reference the key as env:VAR in the config instead");

enum class JobKind { Read, Write, Delete };

// What a finished keychain job reported; copied out so the job can live and die on another thread.
struct JobOutcome
{
    QKeychain::Error error = QKeychain::NoError;
    QString errorString;
    QString text;
};

QKeychain::Job *makeJob(JobKind kind, const QString &service, const QString &key, const QString &text)
{
    QKeychain::Job *job = nullptr;
    switch (kind) {
    case JobKind::Read:
        job = new QKeychain::ReadPasswordJob(service);
        break;
    case JobKind::Write: {
        auto *write = new QKeychain::WritePasswordJob(service);
        write->setTextData(text);
        job = write;
        break;
    }
    case JobKind::Delete:
        job = new QKeychain::DeletePasswordJob(service);
        break;
    }
    job->setKey(key);
    job->setAutoDelete(false);
    job->setInsecureFallback(false);
    return job;
}

JobOutcome outcomeOf(QKeychain::Job *job)
{
    JobOutcome outcome {job->error(), job->errorString(), {}};
    if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(job); read && outcome.error == QKeychain::NoError)
        outcome.text = read->textData();
    return outcome;
}

// QtKeychain keeps one job queue, owned by the thread that first used it and not thread-safe, so every job runs on
// the application's thread: directly on a local event loop there, or handed over from any other thread, which
// then waits (the application's event loop must be running).
JobOutcome runJob(JobKind kind, const QString &service, const QString &key, const QString &text = {})
{
    QCoreApplication *app = QCoreApplication::instance();
    if (QThread::currentThread() == app->thread()) {
        std::unique_ptr<QKeychain::Job> job(makeJob(kind, service, key, text));
        bool finished = false;
        QEventLoop loop;
        QObject::connect(job.get(), &QKeychain::Job::finished, &loop, [&] {
            finished = true;
            loop.quit();
        });
        job->start();
        if (!finished)
            loop.exec(QEventLoop::ExcludeUserInputEvents);
        return outcomeOf(job.get());
    }

    JobOutcome outcome;
    QSemaphore done;
    QMetaObject::invokeMethod(
        app,
        [&, app] {
            QKeychain::Job *job = makeJob(kind, service, key, text);
            QObject::connect(job, &QKeychain::Job::finished, app, [&, job] {
                outcome = outcomeOf(job);
                job->deleteLater();
                done.release();
            });
            job->start();
        },
        Qt::QueuedConnection);
    done.acquire();
    return outcome;
}

// QtKeychain reports a missing D-Bus or Secret Service as OtherError with libsecret's text; recognise those.
bool looksLikeNoBackend(const QString &detail)
{
    static const QStringList hints = {
        QStringLiteral("Could not connect"),
        QStringLiteral("autolaunch"),
        QStringLiteral("org.freedesktop.secrets"),
        QStringLiteral("D-Bus is not running"),
        QStringLiteral("was not provided by any .service files"),
        QStringLiteral("No keychain service"),
        QStringLiteral("No keyring daemon"),
        QStringLiteral("Unknown error"),
    };
    for (const QString &hint : hints) {
        if (detail.contains(hint, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

// action says what was attempted, e.g. "store 'openai'"; name is the entry the user asked for.
Error jobError(const JobOutcome &outcome, const QString &action, const QString &name)
{
    const QString detail = outcome.errorString.isEmpty() ? QStringLiteral("no details given") : outcome.errorString;
    switch (outcome.error) {
    case QKeychain::NoError:
        break;
    case QKeychain::EntryNotFound:
        return makeError(
            QStringLiteral("No key named '%1' in the keychain; add it with `sluice key set %1`").arg(name));
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return makeError(QStringLiteral("The keychain denied access when trying to %1 (%2); unlock the keychain or "
                                        "allow Sluice to use it, then try again")
                             .arg(action, detail));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return makeError(QStringLiteral("No OS keychain is available: %1. %2").arg(detail, NoBackendAdvice));
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        if (looksLikeNoBackend(detail))
            return makeError(QStringLiteral("No OS keychain is available: %1. %2").arg(detail, NoBackendAdvice));
        break;
    }
    return makeError(QStringLiteral("Could not %1 in the keychain: %2").arg(action, detail));
}

Result<void> checkName(const QString &name)
{
    if (SecretRef::isValidKeyName(name))
        return {};
    // Not echoed: a secret pasted in the wrong place must not end up in a message.
    return makeError(QStringLiteral("A key name must be 1 to 128 letters, digits, '-', '_' or '.'"));
}

Result<void> checkEventLoop()
{
    if (QCoreApplication::instance())
        return {};
    return makeError(QStringLiteral("Internal error: the keychain needs a QCoreApplication to be running"));
}

QStringList parseIndex(const QString &text)
{
    QStringList names = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    names.removeIf([](const QString &name) { return !SecretRef::isValidKeyName(name); });
    names.removeDuplicates();
    names.sort();
    return names;
}

} // namespace

SecretStore::SecretStore(QString service)
    : m_service(std::move(service))
{ }

Result<void> SecretStore::write(const QString &name, const QString &secret)
{
    if (Result<void> ok = checkName(name); !ok)
        return ok;
    if (secret.isEmpty())
        return makeError(QStringLiteral("The secret for '%1' is empty; nothing was stored").arg(name));
    if (Result<void> ok = checkEventLoop(); !ok)
        return ok;

    const JobOutcome stored = runJob(JobKind::Write, m_service, name, secret);
    if (stored.error != QKeychain::NoError)
        return jobError(stored, QStringLiteral("store '%1'").arg(name), name);
    qCDebug(lcSecrets) << "Stored key" << name << "in service" << m_service;

    Result<QStringList> names = list();
    if (!names)
        return names.error();
    if (!names->contains(name)) {
        QStringList updated = *names;
        updated.append(name);
        if (Result<void> ok = writeIndex(updated); !ok)
            return ok;
    }
    return {};
}

Result<QString> SecretStore::read(const QString &name)
{
    if (Result<void> ok = checkName(name); !ok)
        return ok.error();
    if (Result<void> ok = checkEventLoop(); !ok)
        return ok.error();
    return readEntry(name, nullptr);
}

Result<QString> SecretStore::readEntry(const QString &name, bool *missing)
{
    const JobOutcome read = runJob(JobKind::Read, m_service, name);
    if (missing)
        *missing = read.error == QKeychain::EntryNotFound;
    if (read.error != QKeychain::NoError) {
        const QString action
            = name == IndexKey ? QStringLiteral("read the list of keys") : QStringLiteral("read '%1'").arg(name);
        return jobError(read, action, name);
    }
    return read.text;
}

Result<void> SecretStore::remove(const QString &name)
{
    if (Result<void> ok = checkName(name); !ok)
        return ok;
    if (Result<void> ok = checkEventLoop(); !ok)
        return ok;

    Result<QStringList> names = list();
    if (!names)
        return names.error();
    // Deleting a missing entry succeeds silently in the backends; look first so the user hears about a typo.
    bool missing = false;
    const Result<QString> existing = readEntry(name, &missing);
    if (!existing) {
        // An index entry without its secret (removed by another tool) is cleaned up instead of reported.
        if (!missing || !names->contains(name))
            return existing.error();
    } else {
        const JobOutcome deleted = runJob(JobKind::Delete, m_service, name);
        if (deleted.error != QKeychain::NoError)
            return jobError(deleted, QStringLiteral("delete '%1'").arg(name), name);
        qCDebug(lcSecrets) << "Deleted key" << name << "from service" << m_service;
    }
    if (names->contains(name)) {
        QStringList updated = *names;
        updated.removeAll(name);
        return writeIndex(updated);
    }
    return {};
}

Result<QStringList> SecretStore::list()
{
    if (Result<void> ok = checkEventLoop(); !ok)
        return ok.error();
    bool missing = false;
    const Result<QString> index = readEntry(IndexKey, &missing);
    if (missing)
        return QStringList();
    if (!index)
        return index.error();
    return parseIndex(*index);
}

Result<void> SecretStore::writeIndex(const QStringList &names)
{
    QStringList sorted = names;
    sorted.removeDuplicates();
    sorted.sort();
    const JobOutcome updated = sorted.isEmpty()
        ? runJob(JobKind::Delete, m_service, IndexKey)
        : runJob(JobKind::Write, m_service, IndexKey, sorted.join(QLatin1Char('\n')));
    if (updated.error != QKeychain::NoError && updated.error != QKeychain::EntryNotFound)
        return jobError(updated, QStringLiteral("update the list of keys"), IndexKey);
    return {};
}

SecretResolver::SecretResolver(SecretStore *store)
    : m_store(store)
{ }

Result<QString> SecretResolver::resolve(const SecretRef &ref)
{
    switch (ref.kind) {
    case SecretRef::Kind::None:
        return QString();
    case SecretRef::Kind::Env: {
        const QString value = qEnvironmentVariable(ref.name.toLocal8Bit().constData());
        if (value.isEmpty()) {
            return makeError(QStringLiteral("The environment variable %1 (referenced as env:%1) is not set or is "
                                            "empty; set it before starting Sluice")
                                 .arg(ref.name));
        }
        return value;
    }
    case SecretRef::Kind::Keychain:
        if (!m_store) {
            return makeError(QStringLiteral("keychain:%1 cannot be read: no keychain is in use; reference the key "
                                            "as env:VAR instead")
                                 .arg(ref.name));
        }
        return m_store->read(ref.name);
    }
    return makeError(QStringLiteral("Unknown kind of secret reference"));
}

} // namespace sluice
