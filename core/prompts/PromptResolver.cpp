#include "PromptResolver.h"

#include "prompts/PromptTemplate.h"

namespace sluice {

bool PromptResolver::ensureOpen(QString *error)
{
    if (m_store.isOpen())
        return true;
    if (m_databasePath.isNull()) {
        *error = QStringLiteral("This gateway has no database, so it has no prompt registry.");
        return false;
    }
    if (Result<void> opened = m_store.open(m_databasePath, SqliteConnection::Mode::ReadOnly); !opened) {
        *error = opened.errorMessage();
        return false;
    }
    return true;
}

PromptResolver::Outcome PromptResolver::resolve(const PromptReference &reference, const QJsonObject &variables,
                                                const QString &modelOverride)
{
    Outcome outcome;
    if (QString error; !ensureOpen(&error)) {
        outcome.status = 503;
        outcome.message = error;
        return outcome;
    }
    Result<PromptVersion> version = m_store.resolve(reference.name, reference.selector);
    if (!version && m_databasePath.isPostgres()) {
        // A PostgreSQL connection does not survive a server restart: connect again, once.
        m_store.close();
        if (QString error; ensureOpen(&error))
            version = m_store.resolve(reference.name, reference.selector);
    }
    if (!version) {
        outcome.status = 404;
        outcome.message = version.errorMessage();
        return outcome;
    }
    outcome.resolved.version = version.value(); // errors below still name the version
    Result<PromptContent> content = PromptContent::fromVersion(version.value());
    if (!content) {
        outcome.status = 500;
        outcome.message = content.errorMessage();
        return outcome;
    }
    const auto partials = [this](const QString &text) -> Result<PromptContent> {
        Result<PromptReference> included = PromptReference::parse(text);
        if (!included)
            return included.error();
        Result<PromptVersion> found = m_store.resolve(included->name, included->selector);
        if (!found)
            return found.error();
        return PromptContent::fromVersion(found.value());
    };
    Result<PromptContent> rendered = PromptTemplate::render(content.value(), variables, partials);
    if (!rendered) {
        outcome.status = 400;
        outcome.message = QStringLiteral("Prompt '%1' version %2: %3")
                              .arg(reference.name)
                              .arg(version->version)
                              .arg(rendered.errorMessage());
        return outcome;
    }
    outcome.resolved.rendered = std::move(rendered).value();
    outcome.resolved.model = modelOverride.isEmpty()
        ? outcome.resolved.rendered.config.value(QLatin1String("model")).toString()
        : modelOverride;
    if (outcome.resolved.model.isEmpty()) {
        outcome.status = 400;
        outcome.message = QStringLiteral("Prompt '%1' version %2 names no model: add config.model to the prompt, or "
                                         "call /v1/prompts/%1/completions with \"model\".")
                              .arg(reference.name)
                              .arg(outcome.resolved.version.version);
    }
    return outcome;
}

} // namespace sluice
