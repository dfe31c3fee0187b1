#include "PromptStore.h"

#include <algorithm>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include "store/Migrations.h"

namespace sluice {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

Error queryError(const QSqlQuery &query, const QString &what)
{
    return makeError(QStringLiteral("Cannot %1: %2").arg(what, query.lastError().text()));
}

// A median of unsorted values; -1 when there are none.
double median(QList<double> values)
{
    if (values.isEmpty())
        return -1;
    const qsizetype middle = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + middle, values.end());
    return values.at(middle);
}

struct UsageAccumulator
{
    PromptUsageStats stats;
    QList<double> latenciesMs;
    QList<double> firstTokenMs;
};

} // namespace

Result<void> PromptStore::open(const StoreLocation &location, SqliteConnection::Mode mode)
{
    const QString name = QStringLiteral("sluice-prompts-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    // Read-write brings the schema up to date (creating the store if needed).
    if (Result<void> opened = m_connection.open(location, name, mode); !opened)
        return opened;
    m_databasePath = location.isPostgres() ? location.describe() : location.sqlitePath();
    QSqlDatabase db = m_connection.database();
    if (mode == SqliteConnection::Mode::ReadOnly && !db.tables().contains(QStringLiteral("prompt_versions"))) {
        m_connection.close();
        return makeError(QStringLiteral("The database %1 has no prompt registry yet; start Sluice once to upgrade it.")
                             .arg(location.describe()));
    }
    return {};
}

bool PromptStore::isValidName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._/-]{1,100}$"));
    return pattern.match(name).hasMatch();
}

bool PromptStore::isValidLabel(const QString &label)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    static const QRegularExpression versionLike(QStringLiteral("^v[0-9]+$"));
    return pattern.match(label).hasMatch() && !versionLike.match(label).hasMatch() && label != QLatin1String("latest");
}

QString PromptStore::nameRules()
{
    return QStringLiteral("A prompt name uses 1 to 100 letters, digits, '.', '_', '-' or '/'.");
}

QString PromptStore::labelRules()
{
    return QStringLiteral("A label uses 1 to 64 letters, digits, '.', '_' or '-'; \"latest\" (always the newest "
                          "version) and \"v\" followed by digits (a version number) are reserved.");
}

Result<int> PromptStore::create(const QString &name, const QString &type, const QString &templateJson,
                                const QString &configJson, const QString &message, const QString &author)
{
    return addVersion(true, name, type, templateJson, configJson, message, author);
}

Result<int> PromptStore::update(const QString &name, const QString &type, const QString &templateJson,
                                const QString &configJson, const QString &message, const QString &author)
{
    return addVersion(false, name, type, templateJson, configJson, message, author);
}

Result<int> PromptStore::addVersion(bool newPrompt, const QString &name, const QString &type,
                                    const QString &templateJson, const QString &configJson, const QString &message,
                                    const QString &author)
{
    if (!isValidName(name))
        return makeError(nameRules());
    if (type != QLatin1String("chat") && type != QLatin1String("text"))
        return makeError(QStringLiteral("A prompt's type is \"chat\" or \"text\", not \"%1\".").arg(type));
    QSqlDatabase db = m_connection.database();
    if (!db.transaction())
        return makeError(QStringLiteral("Cannot save the prompt: %1").arg(db.lastError().text()));
    const auto fail = [&db](Error error) {
        db.rollback();
        return error;
    };
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT (SELECT count(*) FROM prompts WHERE name = :name), "
                                 "(SELECT COALESCE(MAX(version), 0) FROM prompt_versions WHERE prompt_name = :name)"));
    query.bindValue(QStringLiteral(":name"), name);
    if (!query.exec() || !query.next())
        return fail(queryError(query, QStringLiteral("read the prompt")));
    const bool exists = query.value(0).toInt() > 0;
    const int next = query.value(1).toInt() + 1;
    if (newPrompt && exists)
        return fail(makeError(QStringLiteral("A prompt named '%1' exists already; save a new version with `sluice "
                                             "prompt update %1 --file FILE -m MESSAGE`.")
                                  .arg(name)));
    if (!newPrompt && !exists)
        return fail(makeError(
            QStringLiteral("There is no prompt named '%1'; make it with `sluice prompt create %1 --file FILE`.")
                .arg(name)));
    const qint64 now = nowMs();
    if (newPrompt) {
        query.prepare(QStringLiteral("INSERT INTO prompts (name, created_at) VALUES (?, ?)"));
        query.addBindValue(name);
        query.addBindValue(now);
        if (!query.exec())
            return fail(queryError(query, QStringLiteral("save the prompt")));
    }
    query.prepare(QStringLiteral("INSERT INTO prompt_versions (prompt_name, version, type, template, config, "
                                 "message, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(name);
    query.addBindValue(next);
    query.addBindValue(type);
    query.addBindValue(templateJson);
    query.addBindValue(configJson.isEmpty() ? QStringLiteral("{}") : configJson);
    query.addBindValue(message.isNull() ? QString(QLatin1String("")) : message);
    query.addBindValue(author.isNull() ? QString(QLatin1String("")) : author);
    query.addBindValue(now);
    if (!query.exec())
        return fail(queryError(query, QStringLiteral("save the prompt version")));
    if (!db.commit())
        return fail(makeError(QStringLiteral("Cannot save the prompt: %1").arg(db.lastError().text())));
    return next;
}

Result<void> PromptStore::setLabel(const QString &name, const QString &label, int version, const QString &author)
{
    if (!isValidLabel(label))
        return makeError(labelRules());
    QSqlDatabase db = m_connection.database();
    if (!db.transaction())
        return makeError(QStringLiteral("Cannot move the label: %1").arg(db.lastError().text()));
    const auto fail = [&db](Error error) {
        db.rollback();
        return error;
    };
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT count(*) FROM prompt_versions WHERE prompt_name = ? AND version = ?"));
    query.addBindValue(name);
    query.addBindValue(version);
    if (!query.exec() || !query.next())
        return fail(queryError(query, QStringLiteral("read the prompt")));
    if (query.value(0).toInt() == 0)
        return fail(makeError(
            QStringLiteral("Prompt '%1' has no version %2 (see `sluice prompt show %1`).").arg(name).arg(version)));
    query.prepare(QStringLiteral("SELECT version FROM prompt_labels WHERE prompt_name = ? AND label = ?"));
    query.addBindValue(name);
    query.addBindValue(label);
    if (!query.exec())
        return fail(queryError(query, QStringLiteral("read the label")));
    const int from = query.next() ? query.value(0).toInt() : 0;
    if (from == version) {
        db.rollback();
        return {};
    }
    query.prepare(QStringLiteral("INSERT INTO prompt_labels (prompt_name, label, version) VALUES (?, ?, ?) "
                                 "ON CONFLICT (prompt_name, label) DO UPDATE SET version = excluded.version"));
    query.addBindValue(name);
    query.addBindValue(label);
    query.addBindValue(version);
    if (!query.exec())
        return fail(queryError(query, QStringLiteral("move the label")));
    query.prepare(QStringLiteral("INSERT INTO prompt_label_history (prompt_name, label, from_version, to_version, "
                                 "author, moved_at) VALUES (?, ?, ?, ?, ?, ?)"));
    query.addBindValue(name);
    query.addBindValue(label);
    query.addBindValue(from > 0 ? QVariant(from) : QVariant(QMetaType::fromType<int>()));
    query.addBindValue(version);
    query.addBindValue(author.isNull() ? QString(QLatin1String("")) : author);
    query.addBindValue(nowMs());
    if (!query.exec())
        return fail(queryError(query, QStringLiteral("record the label move")));
    if (!db.commit())
        return fail(makeError(QStringLiteral("Cannot move the label: %1").arg(db.lastError().text())));
    return {};
}

Result<QStringList> PromptStore::labelsOf(const QString &name, int version, int latest)
{
    QSqlQuery query(m_connection.database());
    query.prepare(
        QStringLiteral("SELECT label FROM prompt_labels WHERE prompt_name = ? AND version = ? ORDER BY label"));
    query.addBindValue(name);
    query.addBindValue(version);
    if (!query.exec())
        return queryError(query, QStringLiteral("read the labels"));
    QStringList labels;
    if (version == latest)
        labels.append(QStringLiteral("latest"));
    while (query.next())
        labels.append(query.value(0).toString());
    return labels;
}

Result<PromptVersion> PromptStore::resolve(const QString &name, const QString &selector)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM prompt_versions WHERE prompt_name = ?"));
    query.addBindValue(name);
    if (!query.exec() || !query.next())
        return queryError(query, QStringLiteral("read the prompt"));
    const int latest = query.value(0).toInt();
    if (latest == 0)
        return makeError(QStringLiteral("There is no prompt named '%1' (see `sluice prompt list`).").arg(name));
    int version = latest;
    static const QRegularExpression versionPattern(QStringLiteral("^v([0-9]{1,9})$"));
    if (const QRegularExpressionMatch match = versionPattern.match(selector); match.hasMatch()) {
        version = match.captured(1).toInt();
        if (version < 1 || version > latest)
            return makeError(QStringLiteral("Prompt '%1' has no version %2; its versions are 1 to %3.")
                                 .arg(name)
                                 .arg(version)
                                 .arg(latest));
    } else if (!selector.isEmpty() && selector != QLatin1String("latest")) {
        query.prepare(QStringLiteral("SELECT version FROM prompt_labels WHERE prompt_name = ? AND label = ?"));
        query.addBindValue(name);
        query.addBindValue(selector);
        if (!query.exec())
            return queryError(query, QStringLiteral("read the label"));
        if (!query.next())
            return makeError(QStringLiteral("Prompt '%1' has no label '%2'; set it with `sluice prompt label %1 "
                                            "VERSION %2`.")
                                 .arg(name, selector));
        version = query.value(0).toInt();
    }
    query.prepare(QStringLiteral("SELECT type, template, config, message, author, created_at FROM prompt_versions "
                                 "WHERE prompt_name = ? AND version = ?"));
    query.addBindValue(name);
    query.addBindValue(version);
    if (!query.exec() || !query.next())
        return queryError(query, QStringLiteral("read the prompt version"));
    PromptVersion found;
    found.name = name;
    found.version = version;
    found.type = query.value(0).toString();
    found.templateJson = query.value(1).toString();
    found.configJson = query.value(2).toString();
    found.message = query.value(3).toString();
    found.author = query.value(4).toString();
    found.createdAt = utc(query.value(5).toLongLong());
    Result<QStringList> labels = labelsOf(name, version, latest);
    if (!labels)
        return labels.error();
    found.labels = labels.value();
    return found;
}

Result<QList<PromptVersion>> PromptStore::versions(const QString &name)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT version, type, template, config, message, author, created_at FROM "
                                 "prompt_versions WHERE prompt_name = ? ORDER BY version"));
    query.addBindValue(name);
    if (!query.exec())
        return queryError(query, QStringLiteral("read the prompt versions"));
    QList<PromptVersion> versions;
    while (query.next()) {
        PromptVersion version;
        version.name = name;
        version.version = query.value(0).toInt();
        version.type = query.value(1).toString();
        version.templateJson = query.value(2).toString();
        version.configJson = query.value(3).toString();
        version.message = query.value(4).toString();
        version.author = query.value(5).toString();
        version.createdAt = utc(query.value(6).toLongLong());
        versions.append(version);
    }
    if (versions.isEmpty())
        return makeError(QStringLiteral("There is no prompt named '%1' (see `sluice prompt list`).").arg(name));
    const int latest = versions.last().version;
    for (PromptVersion &version : versions) {
        Result<QStringList> labels = labelsOf(name, version.version, latest);
        if (!labels)
            return labels.error();
        version.labels = labels.value();
    }
    return versions;
}

Result<QList<PromptSummary>> PromptStore::list()
{
    QSqlQuery query(m_connection.database());
    if (!query.exec(QStringLiteral(
            "SELECT v.prompt_name, v.version, v.created_at, v.message FROM prompt_versions v "
            "WHERE v.version = (SELECT MAX(version) FROM prompt_versions w WHERE w.prompt_name = v.prompt_name) "
            "ORDER BY v.prompt_name")))
        return queryError(query, QStringLiteral("list the prompts"));
    QList<PromptSummary> prompts;
    while (query.next()) {
        PromptSummary prompt;
        prompt.name = query.value(0).toString();
        prompt.latestVersion = query.value(1).toInt();
        prompt.updatedAt = utc(query.value(2).toLongLong());
        prompt.latestMessage = query.value(3).toString();
        prompts.append(prompt);
    }
    QSqlQuery labels(m_connection.database());
    if (!labels.exec(QStringLiteral("SELECT prompt_name, label, version FROM prompt_labels ORDER BY label")))
        return queryError(labels, QStringLiteral("list the labels"));
    QHash<QString, QStringList> byPrompt;
    while (labels.next())
        byPrompt[labels.value(0).toString()].append(
            QStringLiteral("%1=v%2").arg(labels.value(1).toString()).arg(labels.value(2).toInt()));
    for (PromptSummary &prompt : prompts)
        prompt.labels = byPrompt.value(prompt.name);
    return prompts;
}

Result<QList<LabelMove>> PromptStore::labelHistory(const QString &name)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT label, from_version, to_version, author, moved_at FROM prompt_label_history "
                                 "WHERE prompt_name = ? ORDER BY id"));
    query.addBindValue(name);
    if (!query.exec())
        return queryError(query, QStringLiteral("read the label history"));
    QList<LabelMove> moves;
    while (query.next()) {
        LabelMove move;
        move.label = query.value(0).toString();
        move.fromVersion = query.value(1).toInt();
        move.toVersion = query.value(2).toInt();
        move.author = query.value(3).toString();
        move.movedAt = utc(query.value(4).toLongLong());
        moves.append(move);
    }
    return moves;
}

Result<QList<PromptUsageStats>> PromptStore::usage(const QString &column, const QString &where, const QVariant &bound)
{
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1, latency_us, time_to_first_token_us, input_tokens, output_tokens, "
                                 "cost_usd, http_status FROM requests WHERE %2")
                      .arg(column, where));
    if (bound.isValid())
        query.addBindValue(bound);
    if (!query.exec())
        return queryError(query, QStringLiteral("read the request log"));
    QMap<QString, UsageAccumulator> groups;
    while (query.next()) {
        UsageAccumulator &group = groups[query.value(0).toString()];
        PromptUsageStats &stats = group.stats;
        ++stats.requests;
        group.latenciesMs.append(query.value(1).toDouble() / 1000.0);
        if (!query.value(2).isNull())
            group.firstTokenMs.append(query.value(2).toDouble() / 1000.0);
        stats.inputTokens += query.value(3).toLongLong();
        stats.outputTokens += query.value(4).toLongLong();
        if (query.value(5).isNull())
            ++stats.unpriced;
        else
            stats.costUsd += query.value(5).toDouble();
        if (query.value(6).toInt() >= 400)
            ++stats.errors;
    }
    QList<PromptUsageStats> result;
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        PromptUsageStats stats = it->stats;
        stats.fingerprint = it.key();
        stats.version = it.key().toInt();
        stats.p50LatencyMs = median(it->latenciesMs);
        stats.p50TimeToFirstTokenMs = median(it->firstTokenMs);
        result.append(stats);
    }
    return result;
}

Result<QList<PromptUsageStats>> PromptStore::stats(const QString &name)
{
    Result<QList<PromptVersion>> known = versions(name);
    if (!known)
        return known.error();
    Result<QList<PromptUsageStats>> used
        = usage(QStringLiteral("prompt_version"), QStringLiteral("prompt_name = ?"), name);
    if (!used)
        return used;
    QHash<int, PromptUsageStats> byVersion;
    for (const PromptUsageStats &stats : used.value())
        byVersion.insert(stats.version, stats);
    QList<PromptUsageStats> result;
    for (const PromptVersion &version : known.value()) {
        PromptUsageStats stats = byVersion.value(version.version);
        stats.version = version.version;
        stats.fingerprint.clear();
        result.append(stats);
    }
    return result;
}

Result<QList<ObservedPromptVersion>> PromptStore::observed()
{
    QSqlQuery query(m_connection.database());
    if (!query.exec(QStringLiteral("SELECT fingerprint, prompt_key, client, system_text, tools, first_seen FROM "
                                   "observed_prompt_versions ORDER BY prompt_key, first_seen, fingerprint")))
        return queryError(query, QStringLiteral("read the observed prompts"));
    QList<ObservedPromptVersion> versions;
    QString key;
    int number = 0;
    while (query.next()) {
        ObservedPromptVersion version;
        version.fingerprint = query.value(0).toString();
        version.promptKey = query.value(1).toString();
        version.client = query.value(2).toString();
        version.systemText = query.value(3).toString();
        for (const QJsonValue &tool : QJsonDocument::fromJson(query.value(4).toString().toUtf8()).array())
            version.tools.append(tool.toString());
        version.firstSeen = utc(query.value(5).toLongLong());
        number = version.promptKey == key ? number + 1 : 1;
        key = version.promptKey;
        version.version = number;
        versions.append(version);
    }
    Result<QList<PromptUsageStats>> used
        = usage(QStringLiteral("observed_prompt"), QStringLiteral("observed_prompt IS NOT NULL"), QVariant());
    if (!used)
        return used.error();
    QHash<QString, PromptUsageStats> byFingerprint;
    for (const PromptUsageStats &stats : used.value())
        byFingerprint.insert(stats.fingerprint, stats);
    for (ObservedPromptVersion &version : versions) {
        version.stats = byFingerprint.value(version.fingerprint);
        version.stats.fingerprint = version.fingerprint;
        version.stats.version = version.version;
    }
    return versions;
}

Result<int> PromptStore::saveObserved(const QString &fingerprint, const QString &name, const QString &author)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT client, system_text, tools FROM observed_prompt_versions WHERE "
                                 "fingerprint = ? OR fingerprint LIKE ? ORDER BY fingerprint LIMIT 2"));
    query.addBindValue(fingerprint);
    query.addBindValue(QString(fingerprint + QLatin1Char('%')));
    if (!query.exec())
        return queryError(query, QStringLiteral("read the observed prompt"));
    if (!query.next())
        return makeError(QStringLiteral("No observed prompt version has the fingerprint '%1' (see `sluice prompt "
                                        "observed`).")
                             .arg(fingerprint));
    const QString client = query.value(0).toString();
    const QString system = query.value(1).toString();
    const QString tools = query.value(2).toString();
    if (query.next())
        return makeError(QStringLiteral("More than one observed prompt version starts with '%1'; give more of the "
                                        "fingerprint.")
                             .arg(fingerprint));
    // The observed text is no template: a "{{" in it is kept as the literal \{{.
    QString content = system;
    content.replace(QLatin1String("{{"), QLatin1String("\\{{"));
    const QJsonArray messages {
        QJsonObject {{QStringLiteral("role"), QStringLiteral("system")}, {QStringLiteral("content"), content}}};
    const QString templateJson = QString::fromUtf8(QJsonDocument(messages).toJson(QJsonDocument::Compact));
    const QString message = QStringLiteral("Saved from the observed prompt of %1 (%2; tools: %3)")
                                .arg(client, fingerprint.left(12), tools);
    query.prepare(QStringLiteral("SELECT count(*) FROM prompts WHERE name = ?"));
    query.addBindValue(name);
    if (!query.exec() || !query.next())
        return queryError(query, QStringLiteral("read the prompt"));
    const bool exists = query.value(0).toInt() > 0;
    return addVersion(!exists, name, QStringLiteral("chat"), templateJson, QStringLiteral("{}"), message, author);
}

} // namespace sluice
