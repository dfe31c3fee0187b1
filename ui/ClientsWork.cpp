#include "ClientsWork.h"

#include <QFileInfo>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

#include "clients/ClientSetup.h"
#include "clients/ClientToken.h"
#include "config/ConfigWriter.h"
#include "store/SqliteConnection.h"
#include "store/TokenStore.h"

namespace sluice {

namespace {

// The programs whose presence says a client is installed (Continue is an editor extension: its folder says it).
QString programOf(const QString &client)
{
    if (client == QLatin1String("claude-code"))
        return QStringLiteral("claude");
    if (client == QLatin1String("gemini-cli"))
        return QStringLiteral("gemini");
    if (client == QLatin1String("continue"))
        return {};
    return client;
}

Result<ClientEndpoint> endpointOf(const QString &configPath)
{
    Result<ConfigWriter> writer = ConfigWriter::open(configPath);
    if (!writer)
        return writer.error();
    const Result<Config> config = writer->validate();
    if (!config)
        return config.error();
    return ClientToken::endpointFor(*config);
}

QDateTime lastRequestOf(const QString &databasePath, const QString &token)
{
    if (databasePath.isEmpty() || !QFileInfo::exists(databasePath))
        return {};
    SqliteConnection connection;
    const QString name = QStringLiteral("clients-") + QUuid::createUuid().toString(QUuid::Id128);
    if (!connection.open(databasePath, name, SqliteConnection::Mode::ReadOnly))
        return {};
    // The hourly rollup finds the hour; the started_at index finds the request within it.
    QSqlQuery hour(connection.database());
    hour.prepare(QStringLiteral("SELECT MAX(hour) FROM spend_hourly WHERE token_name = ?"));
    hour.addBindValue(token);
    if (!hour.exec() || !hour.next() || hour.value(0).isNull())
        return {};
    QSqlQuery last(connection.database());
    last.prepare(QStringLiteral("SELECT MAX(started_at) FROM requests WHERE started_at >= ? AND token_name = ?"));
    last.addBindValue(hour.value(0));
    last.addBindValue(token);
    if (!last.exec() || !last.next() || last.value(0).isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(last.value(0).toLongLong(), Qt::UTC);
}

} // namespace

ClientsSnapshot ClientsWork::load(const QString &configPath, const QString &databasePath, const QString &model)
{
    ClientsSnapshot snapshot;
    QList<ClientState> &states = snapshot.clients;
    Result<ClientEndpoint> endpoint = endpointOf(configPath);
    if (endpoint) {
        snapshot.models = endpoint->models;
        // The model asked for, else the config's first: a tool's own default is rarely a Sluice model name.
        endpoint.value().model = endpoint->models.contains(model) ? model : endpoint->models.value(0);
    }
    for (const auto &writer : ClientConfigWriter::all()) {
        ClientState state;
        state.name = writer->name();
        state.displayName = writer->displayName();
        state.configPath = writer->configPath();
        const QString program = programOf(state.name);
        // The folder of its file says so too, unless that is the home folder itself (Aider).
        const QString folder = QFileInfo(state.configPath).absolutePath();
        state.installed = (!program.isEmpty() && !QStandardPaths::findExecutable(program).isEmpty())
            || (folder != QFileInfo(ClientConfigWriter::homeDir()).absoluteFilePath() && QFileInfo::exists(folder));
        state.canUndo = QFileInfo::exists(ClientSetup::backupPath(state.configPath))
            || QFileInfo::exists(ClientSetup::createdMarkerPath(state.configPath));
        state.lastRequest = lastRequestOf(databasePath, state.name);
        if (!endpoint) {
            state.preview = endpoint.errorMessage();
            state.previewIsError = true;
            states.append(state);
            continue;
        }
        const QString mask = QStringLiteral("<gateway token '%1'>").arg(state.name);
        ClientEndpoint wanted = *endpoint;
        wanted.token = mask;
        const Result<ClientFileChange> masked = ClientSetup::plan(*writer, wanted);
        if (!masked) {
            state.preview = masked.errorMessage();
            state.previewIsError = true;
            states.append(state);
            continue;
        }
        // With the token the file already holds, a set-up that changes nothing means it points at Sluice.
        const QString existing = writer->existingSecret(masked->before);
        wanted.token = existing.isEmpty() ? mask : existing;
        const Result<ClientFileChange> change = ClientSetup::plan(*writer, wanted);
        // Clients that read the token from their environment: the file is all that can be checked.
        state.pointed = change && !change->changes() && (!writer->tokenInFile() || !existing.isEmpty());
        state.preview = change ? (change->changes() ? ClientSetup::diff(*change, wanted.token, mask) : QString())
                               : change.errorMessage();
        state.previewIsError = !change;
        states.append(state);
    }
    return snapshot;
}

Result<ClientOutcome> ClientsWork::setUp(const QString &client, const QString &configPath, const QString &databasePath,
                                         const QString &model)
{
    const auto writer = ClientConfigWriter::find(client);
    if (!writer)
        return makeError(QStringLiteral("unknown client '%1'").arg(client));
    Result<ClientEndpoint> endpoint = endpointOf(configPath);
    if (!endpoint)
        return endpoint.error();
    endpoint.value().model = endpoint->models.contains(model) ? model : endpoint->models.value(0);
    endpoint.value().token = QStringLiteral("<gateway token>");
    const Result<ClientFileChange> checked = ClientSetup::plan(*writer, *endpoint);
    if (!checked)
        return checked.error();
    TokenStore store;
    if (Result<void> opened = store.open(databasePath); !opened)
        return opened.error();
    const Result<ClientToken> token = ClientToken::obtain(*writer, checked->before, store);
    if (!token)
        return token.error();
    endpoint.value().token = token->secret;
    const Result<ClientFileChange> change = ClientSetup::plan(*writer, *endpoint);
    if (!change)
        return change.error();
    if (change->changes()) {
        if (Result<void> written = ClientSetup::apply(*change); !written)
            return written.error();
    }
    ClientOutcome outcome;
    outcome.summary
        = QStringLiteral("%1 now points at Sluice (%2)%3.")
              .arg(writer->displayName(), change->path,
                   token->created ? QStringLiteral(", with its own gateway token '%1'").arg(client) : QString());
    if (endpoint->models.isEmpty())
        outcome.summary += QStringLiteral(" Sluice has no models yet: add one, then set it up again.");
    outcome.environmentLines = writer->environmentLines(*endpoint);
    return outcome;
}

Result<ClientOutcome> ClientsWork::undo(const QString &client)
{
    const auto writer = ClientConfigWriter::find(client);
    if (!writer)
        return makeError(QStringLiteral("unknown client '%1'").arg(client));
    const Result<ClientFileChange> change = ClientSetup::planUndo(writer->configPath());
    if (!change)
        return change.error();
    if (Result<void> done = ClientSetup::applyUndo(*change); !done)
        return done.error();
    ClientOutcome outcome;
    outcome.summary = change->after ? QStringLiteral("Restored %1 as it was before the set-up.").arg(change->path)
                                    : QStringLiteral("Deleted %1: Sluice had created it.").arg(change->path);
    return outcome;
}

} // namespace sluice
