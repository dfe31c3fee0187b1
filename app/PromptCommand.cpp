#include "PromptCommand.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTextStream>

#include "CommandLine.h"
#include "cost/ModelPrice.h"
#include "prompts/PromptContent.h"
#include "prompts/PromptDiff.h"
#include "prompts/PromptFile.h"
#include "prompts/PromptReference.h"
#include "prompts/PromptTemplate.h"
#include "store/PromptStore.h"

namespace sluice {

namespace {

constexpr int ExitOk = 0;

QString usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  sluice prompt create NAME --file F [-m MSG]     a new prompt from a YAML or JSON file (version 1)\n"
        "  sluice prompt update NAME --file F -m MSG       save the next version (versions never change)\n"
        "  sluice prompt label NAME VERSION LABEL          point LABEL (production, staging, ...) at VERSION\n"
        "  sluice prompt list                              the prompts, their newest version and labels\n"
        "  sluice prompt show NAME[@LABEL|@vN] [--format json]\n"
        "                                                  a version (default: the newest), its variables, labels\n"
        "                                                  and the label history\n"
        "  sluice prompt diff NAME A B                     what changed from A to B (versions or labels)\n"
        "  sluice prompt render NAME[@LABEL|@vN] --var K=V ...\n"
        "                                                  the prompt with its variables filled in\n"
        "  sluice prompt stats NAME [--format json]        requests, tokens, cost, p50 latency per version\n"
        "  sluice prompt observed [--format json]          coding agents' system prompts seen by the gateway,\n"
        "                                                  with versions and their cost\n"
        "  sluice prompt save-observed FINGERPRINT NAME    save an observed version into the registry\n"
        "\n"
        "  --author NAME       who saves or moves (default: $USER)\n"
        "  --data-dir DIR      the folder of the database (default: ~/.local/share/sluice)\n"
        "\n"
        "Clients call a prompt with \"model\": \"prompt:NAME@production\" and \"prompt_variables\": {...}, or\n"
        "POST /v1/prompts/NAME/completions; see docs/prompts.md.\n");
}

int badUsage(QTextStream &err, const QString &problem)
{
    return CommandLine::badUsage(err, QLatin1String("prompt"), problem, usage());
}

int fail(QTextStream &err, const QString &message)
{
    return CommandLine::fail(err, QLatin1String("prompt"), message);
}

void printTable(QTextStream &out, const QList<QStringList> &rows)
{
    QList<qsizetype> widths(rows.first().size(), 0);
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = qMax(widths[i], row.at(i).size());
    }
    for (const QStringList &row : rows) {
        QStringList cells;
        for (qsizetype i = 0; i < row.size(); ++i)
            cells.append(row.at(i).leftJustified(widths.at(i)));
        out << cells.join(QStringLiteral("  ")).trimmed() << '\n';
    }
}

QString time(const QDateTime &at)
{
    return at.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString ms(double value)
{
    return value < 0 ? QStringLiteral("-") : QStringLiteral("%1 ms").arg(value, 0, 'f', value < 10 ? 1 : 0);
}

QString usd(const PromptUsageStats &stats)
{
    QString text = formatUsd(stats.costUsd);
    if (stats.unpriced > 0)
        text += QStringLiteral(" (+%1 unpriced)").arg(stats.unpriced);
    return text;
}

QJsonObject statsJson(const PromptUsageStats &stats)
{
    const auto orNull = [](double value) {
        return value < 0 ? QJsonValue() : QJsonValue(value);
    };
    return {{QStringLiteral("requests"), stats.requests},
            {QStringLiteral("errors"), stats.errors},
            {QStringLiteral("error_rate"), stats.errorRate()},
            {QStringLiteral("input_tokens"), stats.inputTokens},
            {QStringLiteral("output_tokens"), stats.outputTokens},
            {QStringLiteral("cost_usd"), stats.costUsd},
            {QStringLiteral("unpriced_requests"), stats.unpriced},
            {QStringLiteral("p50_latency_ms"), orNull(stats.p50LatencyMs)},
            {QStringLiteral("p50_time_to_first_token_ms"), orNull(stats.p50TimeToFirstTokenMs)}};
}

void printJson(QTextStream &out, const QJsonValue &value)
{
    out << (value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject()))
               .toJson(QJsonDocument::Indented);
}

struct Options
{
    QString dataDir;
    QString file;
    QString message;
    QString author;
    QString format;
    QJsonObject variables;
    QStringList positional;
};

Result<PromptContent> contentOf(PromptStore &store, const PromptVersion &version)
{
    Q_UNUSED(store);
    return PromptContent::fromVersion(version);
}

int save(PromptStore &store, const QString &command, const Options &options, QTextStream &out, QTextStream &err)
{
    const QString &name = options.positional.at(0);
    if (options.file.isEmpty())
        return badUsage(err, QStringLiteral("'%1' needs --file FILE (YAML or JSON; see docs/prompts.md)").arg(command));
    if (command == QLatin1String("update") && options.message.isEmpty())
        return badUsage(err, QStringLiteral("'update' needs -m MESSAGE: what changed and why"));
    const Result<PromptContent> content = PromptFile::read(options.file);
    if (!content)
        return fail(err, content.errorMessage());
    QStringList partials;
    const Result<QList<TemplateVariable>> variables = PromptTemplate::variables(content.value(), &partials);
    for (const QString &partial : partials) {
        const Result<PromptReference> reference = PromptReference::parse(partial);
        if (!reference)
            return fail(err, reference.errorMessage());
        if (const Result<PromptVersion> found = store.resolve(reference->name, reference->selector); !found)
            return fail(
                err, QStringLiteral("The partial {{> %1}} cannot be included: %2").arg(partial, found.errorMessage()));
    }
    const QString message
        = options.message.isEmpty() && command == QLatin1String("create") ? QStringLiteral("Created") : options.message;
    const Result<int> version = command == QLatin1String("create")
        ? store.create(name, content->type, content->templateJson(), content->configJson(), message, options.author)
        : store.update(name, content->type, content->templateJson(), content->configJson(), message, options.author);
    if (!version)
        return fail(err, version.errorMessage());
    QStringList names;
    for (const TemplateVariable &variable : variables.value())
        names.append(variable.name);
    out << "Saved " << name << " version " << version.value();
    if (!names.isEmpty())
        out << " (variables: " << names.join(QStringLiteral(", ")) << ')';
    out << '\n';
    out.flush();
    return ExitOk;
}

int show(PromptStore &store, const Options &options, QTextStream &out, QTextStream &err)
{
    const Result<PromptReference> reference = PromptReference::parse(options.positional.at(0));
    if (!reference)
        return badUsage(err, reference.errorMessage());
    const Result<PromptVersion> version = store.resolve(reference->name, reference->selector);
    if (!version)
        return fail(err, version.errorMessage());
    const Result<PromptContent> content = contentOf(store, version.value());
    if (!content)
        return fail(err, content.errorMessage());
    const Result<QList<TemplateVariable>> variables = PromptTemplate::variables(content.value());
    const Result<QList<LabelMove>> history = store.labelHistory(reference->name);
    if (!history)
        return fail(err, history.errorMessage());
    if (options.format == QLatin1String("json")) {
        QJsonArray variableList;
        for (const TemplateVariable &variable : variables.value()) {
            QJsonObject item {{QStringLiteral("name"), variable.name}, {QStringLiteral("type"), variable.type}};
            if (variable.hasDefault)
                item.insert(QStringLiteral("default"), variable.defaultValue);
            variableList.append(item);
        }
        QJsonArray moves;
        for (const LabelMove &move : history.value())
            moves.append(QJsonObject {
                {QStringLiteral("label"), move.label},
                {QStringLiteral("from_version"), move.fromVersion > 0 ? QJsonValue(move.fromVersion) : QJsonValue()},
                {QStringLiteral("to_version"), move.toVersion},
                {QStringLiteral("author"), move.author},
                {QStringLiteral("moved_at"), move.movedAt.toString(Qt::ISODateWithMs)}});
        QJsonObject object {{QStringLiteral("name"), version->name},
                            {QStringLiteral("version"), version->version},
                            {QStringLiteral("type"), version->type},
                            {QStringLiteral("labels"), QJsonArray::fromStringList(version->labels)},
                            {QStringLiteral("config"), content->config},
                            {QStringLiteral("message"), version->message},
                            {QStringLiteral("author"), version->author},
                            {QStringLiteral("created_at"), version->createdAt.toString(Qt::ISODateWithMs)},
                            {QStringLiteral("variables"), variableList},
                            {QStringLiteral("label_history"), moves}};
        if (content->isChat()) {
            QJsonArray messages;
            for (const PromptMessage &message : content->messages)
                messages.append(
                    QJsonObject {{QStringLiteral("role"), message.role}, {QStringLiteral("content"), message.content}});
            object.insert(QStringLiteral("messages"), messages);
        } else {
            object.insert(QStringLiteral("prompt"), content->text);
        }
        printJson(out, object);
        out.flush();
        return ExitOk;
    }
    out << version->name << " version " << version->version << " (" << version->type << ")";
    if (!version->labels.isEmpty())
        out << "  [" << version->labels.join(QStringLiteral(", ")) << ']';
    out << "\nSaved " << time(version->createdAt) << " UTC"
        << (version->author.isEmpty() ? QString() : QStringLiteral(" by ") + version->author) << ": "
        << version->message << "\n\n";
    out << PromptDiff::templateText(content.value()) << "\n\n";
    out << "config: " << PromptDiff::configText(content.value()) << '\n';
    if (!variables.value().isEmpty()) {
        out << "variables:";
        for (const TemplateVariable &variable : variables.value()) {
            out << ' ' << variable.name;
            if (variable.type != QLatin1String("string"))
                out << ':' << variable.type;
            if (variable.hasDefault)
                out << '=' << variable.defaultValue;
        }
        out << '\n';
    }
    if (!history.value().isEmpty()) {
        out << "\nlabel history:\n";
        for (const LabelMove &move : history.value())
            out << "  " << time(move.movedAt) << "  " << move.label << ": "
                << (move.fromVersion > 0 ? QStringLiteral("v%1").arg(move.fromVersion) : QStringLiteral("new"))
                << " -> v" << move.toVersion
                << (move.author.isEmpty() ? QString() : QStringLiteral("  (") + move.author + QLatin1Char(')')) << '\n';
    }
    out.flush();
    return ExitOk;
}

int diff(PromptStore &store, const Options &options, QTextStream &out, QTextStream &err)
{
    const QString &name = options.positional.at(0);
    QList<PromptVersion> versions;
    QList<PromptContent> contents;
    for (const QString &selector : options.positional.mid(1)) {
        bool number = false;
        const int version = selector.toInt(&number);
        const Result<PromptVersion> found = store.resolve(name, number ? QStringLiteral("v%1").arg(version) : selector);
        if (!found)
            return fail(err, found.errorMessage());
        const Result<PromptContent> content = PromptContent::fromVersion(found.value());
        if (!content)
            return fail(err, content.errorMessage());
        versions.append(found.value());
        contents.append(content.value());
    }
    const QString before = QStringLiteral("%1 v%2").arg(name).arg(versions.at(0).version);
    const QString after = QStringLiteral("%1 v%2").arg(name).arg(versions.at(1).version);
    const QString templates = PromptDiff::unified(PromptDiff::templateText(contents.at(0)),
                                                  PromptDiff::templateText(contents.at(1)), before, after);
    const QString configs
        = PromptDiff::unified(PromptDiff::configText(contents.at(0)), PromptDiff::configText(contents.at(1)),
                              before + QStringLiteral(" config"), after + QStringLiteral(" config"));
    if (versions.at(0).type != versions.at(1).type)
        out << "type: " << versions.at(0).type << " -> " << versions.at(1).type << '\n';
    if (templates.isEmpty() && configs.isEmpty() && versions.at(0).type == versions.at(1).type)
        out << before << " and " << after << " have the same template and config\n";
    out << templates << configs;
    out.flush();
    return ExitOk;
}

int render(PromptStore &store, const Options &options, QTextStream &out, QTextStream &err)
{
    const Result<PromptReference> reference = PromptReference::parse(options.positional.at(0));
    if (!reference)
        return badUsage(err, reference.errorMessage());
    const Result<PromptVersion> version = store.resolve(reference->name, reference->selector);
    if (!version)
        return fail(err, version.errorMessage());
    const Result<PromptContent> content = PromptContent::fromVersion(version.value());
    if (!content)
        return fail(err, content.errorMessage());
    const auto partials = [&store](const QString &text) -> Result<PromptContent> {
        const Result<PromptReference> included = PromptReference::parse(text);
        if (!included)
            return included.error();
        const Result<PromptVersion> found = store.resolve(included->name, included->selector);
        if (!found)
            return found.error();
        return PromptContent::fromVersion(found.value());
    };
    const Result<PromptContent> rendered = PromptTemplate::render(content.value(), options.variables, partials);
    if (!rendered)
        return fail(
            err, QStringLiteral("%1 v%2: %3").arg(reference->name).arg(version->version).arg(rendered.errorMessage()));
    if (options.format == QLatin1String("json")) {
        QJsonObject object {{QStringLiteral("name"), version->name}, {QStringLiteral("version"), version->version}};
        if (rendered->isChat()) {
            QJsonArray messages;
            for (const PromptMessage &message : rendered->messages)
                messages.append(
                    QJsonObject {{QStringLiteral("role"), message.role}, {QStringLiteral("content"), message.content}});
            object.insert(QStringLiteral("messages"), messages);
        } else {
            object.insert(QStringLiteral("prompt"), rendered->text);
        }
        object.insert(QStringLiteral("config"), rendered->config);
        printJson(out, object);
    } else {
        out << PromptDiff::templateText(rendered.value()) << '\n';
    }
    out.flush();
    return ExitOk;
}

int stats(PromptStore &store, const Options &options, QTextStream &out, QTextStream &err)
{
    const QString &name = options.positional.at(0);
    const Result<QList<PromptVersion>> versions = store.versions(name);
    if (!versions)
        return fail(err, versions.errorMessage());
    const Result<QList<PromptUsageStats>> used = store.stats(name);
    if (!used)
        return fail(err, used.errorMessage());
    if (options.format == QLatin1String("json")) {
        QJsonArray array;
        for (qsizetype i = 0; i < used->size(); ++i) {
            QJsonObject item = statsJson(used->at(i));
            item.insert(QStringLiteral("version"), used->at(i).version);
            item.insert(QStringLiteral("labels"), QJsonArray::fromStringList(versions->at(i).labels));
            array.append(item);
        }
        printJson(out, QJsonObject {{QStringLiteral("name"), name}, {QStringLiteral("versions"), array}});
        out.flush();
        return ExitOk;
    }
    QList<QStringList> rows = {{QStringLiteral("Version"), QStringLiteral("Labels"), QStringLiteral("Requests"),
                                QStringLiteral("Errors"), QStringLiteral("Input tok"), QStringLiteral("Output tok"),
                                QStringLiteral("Cost"), QStringLiteral("p50 latency"), QStringLiteral("p50 TTFT")}};
    for (qsizetype i = 0; i < used->size(); ++i) {
        const PromptUsageStats &row = used->at(i);
        rows.append(
            {QStringLiteral("v%1").arg(row.version), versions->at(i).labels.join(QLatin1Char(',')),
             QString::number(row.requests),
             row.requests > 0 ? QStringLiteral("%1%").arg(row.errorRate() * 100, 0, 'f', 1) : QStringLiteral("-"),
             QString::number(row.inputTokens), QString::number(row.outputTokens), usd(row), ms(row.p50LatencyMs),
             ms(row.p50TimeToFirstTokenMs)});
    }
    printTable(out, rows);
    out.flush();
    return ExitOk;
}

int observed(PromptStore &store, const Options &options, QTextStream &out, QTextStream &err)
{
    const Result<QList<ObservedPromptVersion>> versions = store.observed();
    if (!versions)
        return fail(err, versions.errorMessage());
    if (options.format == QLatin1String("json")) {
        QJsonArray array;
        for (const ObservedPromptVersion &version : versions.value()) {
            QJsonObject item = statsJson(version.stats);
            item.insert(QStringLiteral("prompt"), version.promptKey);
            item.insert(QStringLiteral("client"), version.client);
            item.insert(QStringLiteral("version"), version.version);
            item.insert(QStringLiteral("fingerprint"), version.fingerprint);
            item.insert(QStringLiteral("first_seen"), version.firstSeen.toString(Qt::ISODateWithMs));
            item.insert(QStringLiteral("tools"), QJsonArray::fromStringList(version.tools));
            item.insert(QStringLiteral("system_text"), version.systemText);
            array.append(item);
        }
        printJson(out, array);
        out.flush();
        return ExitOk;
    }
    if (versions->isEmpty()) {
        err << "No observed prompts yet: they appear once clients send requests with a system prompt or tools\n";
        err.flush();
        return ExitOk;
    }
    QList<QStringList> rows = {{QStringLiteral("Prompt"), QStringLiteral("Version"), QStringLiteral("Fingerprint"),
                                QStringLiteral("First seen (UTC)"), QStringLiteral("Tools"), QStringLiteral("Requests"),
                                QStringLiteral("Tokens in/out"), QStringLiteral("Cost")}};
    for (const ObservedPromptVersion &version : versions.value()) {
        rows.append({version.promptKey.left(60), QStringLiteral("v%1").arg(version.version),
                     version.fingerprint.left(12), time(version.firstSeen), QString::number(version.tools.size()),
                     QString::number(version.stats.requests),
                     QStringLiteral("%1/%2").arg(version.stats.inputTokens).arg(version.stats.outputTokens),
                     usd(version.stats)});
    }
    printTable(out, rows);
    out.flush();
    return ExitOk;
}

} // namespace

int runPromptCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QStringList words = args;
    if (!words.isEmpty() && words.front() == QLatin1String("prompt"))
        words.removeFirst();
    if (words.isEmpty())
        return badUsage(err,
                        QStringLiteral("missing a command (create, update, label, list, show, diff, render, "
                                       "stats or observed)"));
    const QString command = words.takeFirst();
    if (command == QLatin1String("help") || command == QLatin1String("--help") || command == QLatin1String("-h")) {
        out << usage();
        out.flush();
        return ExitOk;
    }
    // Positional arguments each command takes.
    static const QHash<QString, int> arity {{QStringLiteral("create"), 1},   {QStringLiteral("update"), 1},
                                            {QStringLiteral("label"), 3},    {QStringLiteral("list"), 0},
                                            {QStringLiteral("show"), 1},     {QStringLiteral("diff"), 3},
                                            {QStringLiteral("render"), 1},   {QStringLiteral("stats"), 1},
                                            {QStringLiteral("observed"), 0}, {QStringLiteral("save-observed"), 2}};
    if (!arity.contains(command))
        return badUsage(err, QStringLiteral("unknown command '%1'").arg(command));

    Options options;
    options.author = qEnvironmentVariable("USER", qEnvironmentVariable("LOGNAME", QDir::home().dirName()));
    for (qsizetype i = 0; i < words.size(); ++i) {
        QString option = words.at(i);
        if (!option.startsWith(QLatin1Char('-')) || option == QLatin1String("-")) {
            options.positional.append(option);
            continue;
        }
        QString value;
        if (option.startsWith(QLatin1String("--")) && option.contains(QLatin1Char('='))) {
            value = option.section(QLatin1Char('='), 1);
            option = option.section(QLatin1Char('='), 0, 0);
        } else if (i + 1 < words.size()) {
            value = words.at(++i);
        }
        if (value.isEmpty())
            return badUsage(err, QStringLiteral("%1 needs a value").arg(option));
        const auto only = [&](std::initializer_list<const char *> commands) {
            for (const char *allowed : commands) {
                if (command == QLatin1String(allowed))
                    return true;
            }
            return false;
        };
        if (option == QLatin1String("--data-dir")) {
            options.dataDir = value;
        } else if (option == QLatin1String("--author")) {
            options.author = value;
        } else if (option == QLatin1String("--file") && only({"create", "update"})) {
            options.file = value;
        } else if ((option == QLatin1String("-m") || option == QLatin1String("--message"))
                   && only({"create", "update"})) {
            options.message = value;
        } else if (option == QLatin1String("--format") && only({"show", "render", "stats", "observed"})) {
            if (value != QLatin1String("json") && value != QLatin1String("text"))
                return badUsage(err, QStringLiteral("--format is json or text, not '%1'").arg(value));
            options.format = value;
        } else if (option == QLatin1String("--var") && only({"render"})) {
            const qsizetype equals = value.indexOf(QLatin1Char('='));
            if (equals <= 0)
                return badUsage(err, QStringLiteral("--var takes NAME=VALUE, not '%1'").arg(value));
            options.variables.insert(value.left(equals), value.mid(equals + 1));
        } else {
            return badUsage(err, QStringLiteral("'%1' takes no option '%2'").arg(command, option));
        }
    }
    if (options.positional.size() != arity.value(command))
        return badUsage(err,
                        QStringLiteral("'%1' takes %2 argument%3, not %4")
                            .arg(command)
                            .arg(arity.value(command))
                            .arg(arity.value(command) == 1 ? QString() : QStringLiteral("s"))
                            .arg(options.positional.size()));
    if ((command == QLatin1String("create") || command == QLatin1String("update"))
        && !PromptStore::isValidName(options.positional.front()))
        return badUsage(err, PromptStore::nameRules());

    // The database's upgrade notes are for the gateway's log, not for a command whose output may be captured.
    QLoggingCategory::setFilterRules(QStringLiteral("sluice.store.info=false"));
    PromptStore store;
    if (Result<void> opened
        = store.open(QDir(CommandLine::dataDirOr(options.dataDir)).filePath(QStringLiteral("sluice.db")));
        !opened)
        return fail(err, opened.errorMessage());

    if (command == QLatin1String("create") || command == QLatin1String("update"))
        return save(store, command, options, out, err);
    if (command == QLatin1String("label")) {
        bool ok = false;
        QString versionText = options.positional.at(1);
        if (versionText.startsWith(QLatin1Char('v')))
            versionText.remove(0, 1);
        const int version = versionText.toInt(&ok);
        if (!ok || version <= 0)
            return badUsage(
                err, QStringLiteral("VERSION is a version number, e.g. 3, not '%1'").arg(options.positional.at(1)));
        const QString &name = options.positional.at(0);
        const QString &label = options.positional.at(2);
        const Result<PromptVersion> before = store.resolve(name, label);
        if (Result<void> moved = store.setLabel(name, label, version, options.author); !moved)
            return fail(err, moved.errorMessage());
        out << name << '@' << label << ": "
            << (before ? QStringLiteral("v%1 -> ").arg(before->version) : QStringLiteral("new, ")) << 'v' << version
            << "; clients calling prompt:" << name << '@' << label << " get it from their next request\n";
        out.flush();
        return ExitOk;
    }
    if (command == QLatin1String("list")) {
        const Result<QList<PromptSummary>> prompts = store.list();
        if (!prompts)
            return fail(err, prompts.errorMessage());
        if (prompts->isEmpty()) {
            err << "No prompts yet; make one with `sluice prompt create NAME --file FILE`\n";
            err.flush();
            return ExitOk;
        }
        QList<QStringList> rows = {{QStringLiteral("Name"), QStringLiteral("Latest"), QStringLiteral("Labels"),
                                    QStringLiteral("Updated (UTC)"), QStringLiteral("Message")}};
        for (const PromptSummary &prompt : prompts.value())
            rows.append({prompt.name, QStringLiteral("v%1").arg(prompt.latestVersion),
                         prompt.labels.isEmpty() ? QStringLiteral("-") : prompt.labels.join(QStringLiteral(", ")),
                         time(prompt.updatedAt), prompt.latestMessage.left(60)});
        printTable(out, rows);
        out.flush();
        return ExitOk;
    }
    if (command == QLatin1String("show"))
        return show(store, options, out, err);
    if (command == QLatin1String("diff"))
        return diff(store, options, out, err);
    if (command == QLatin1String("render"))
        return render(store, options, out, err);
    if (command == QLatin1String("stats"))
        return stats(store, options, out, err);
    if (command == QLatin1String("observed"))
        return observed(store, options, out, err);
    const Result<int> saved = store.saveObserved(options.positional.at(0), options.positional.at(1), options.author);
    if (!saved)
        return fail(err, saved.errorMessage());
    out << "Saved " << options.positional.at(1) << " version " << saved.value() << '\n';
    out.flush();
    return ExitOk;
}

} // namespace sluice
