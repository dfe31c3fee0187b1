#include "PromptLibrary.h"

#include <QDir>

#include "prompts/PromptFile.h"

namespace sluice {

namespace {

// Who saves or moves, for the version and the label history: the login name.
QString author()
{
    for (const char *variable : {"USER", "LOGNAME"}) {
        const QString name = qEnvironmentVariable(variable);
        if (!name.isEmpty())
            return name;
    }
    return QDir::home().dirName();
}

} // namespace

PromptLibrary::PromptLibrary(const QString &databasePath, QObject *parent)
    : QObject(parent)
    , m_databasePath(databasePath)
{ }

bool PromptLibrary::ensureOpen()
{
    if (m_store.isOpen())
        return true;
    if (Result<void> opened = m_store.open(m_databasePath); !opened) {
        Q_EMIT failed(opened.errorMessage());
        return false;
    }
    return true;
}

void PromptLibrary::loadList()
{
    if (!ensureOpen())
        return;
    const Result<QList<PromptSummary>> prompts = m_store.list();
    if (!prompts) {
        Q_EMIT failed(prompts.errorMessage());
        return;
    }
    Q_EMIT listLoaded(prompts.value());
}

void PromptLibrary::loadPrompt(const QString &name)
{
    if (!ensureOpen())
        return;
    PromptDetails details;
    details.name = name;
    const Result<QList<PromptVersion>> versions = m_store.versions(name);
    const Result<QList<PromptUsageStats>> stats = m_store.stats(name);
    const Result<QList<LabelMove>> history = m_store.labelHistory(name);
    for (const QString &error : {versions.errorMessage(), stats.errorMessage(), history.errorMessage()}) {
        if (!error.isEmpty()) {
            Q_EMIT failed(error);
            return;
        }
    }
    details.versions = versions.value();
    details.stats = stats.value();
    details.history = history.value();
    Q_EMIT promptLoaded(details);
}

void PromptLibrary::loadObserved()
{
    if (!ensureOpen())
        return;
    const Result<QList<ObservedPromptVersion>> observed = m_store.observed();
    if (!observed) {
        Q_EMIT failed(observed.errorMessage());
        return;
    }
    Q_EMIT observedLoaded(observed.value());
}

void PromptLibrary::save(const QString &name, const QString &fileText, const QString &message, bool isNew)
{
    if (!ensureOpen())
        return;
    const Result<PromptContent> content = PromptFile::parse(fileText.toUtf8(), name);
    if (!content) {
        Q_EMIT failed(content.errorMessage());
        return;
    }
    const Result<int> version = isNew
        ? m_store.create(name, content->type, content->templateJson(), content->configJson(), message, author())
        : m_store.update(name, content->type, content->templateJson(), content->configJson(), message, author());
    if (!version) {
        Q_EMIT failed(version.errorMessage());
        return;
    }
    Q_EMIT changed(name, tr("Saved %1 version %2.").arg(name).arg(version.value()));
}

void PromptLibrary::moveLabel(const QString &name, const QString &label, int version)
{
    if (!ensureOpen())
        return;
    if (Result<void> moved = m_store.setLabel(name, label, version, author()); !moved) {
        Q_EMIT failed(moved.errorMessage());
        return;
    }
    Q_EMIT changed(
        name,
        tr("%1@%2 now points at version %3; clients get it from their next request.").arg(name, label).arg(version));
}

void PromptLibrary::saveObserved(const QString &fingerprint, const QString &name)
{
    if (!ensureOpen())
        return;
    const Result<int> version = m_store.saveObserved(fingerprint, name, author());
    if (!version) {
        Q_EMIT failed(version.errorMessage());
        return;
    }
    Q_EMIT changed(name, tr("Saved the observed prompt as %1 version %2.").arg(name).arg(version.value()));
}

} // namespace sluice
