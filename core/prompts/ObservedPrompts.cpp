#include "ObservedPrompts.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "api/JsonMembers.h"

namespace sluice {

namespace {

struct Rule
{
    QRegularExpression pattern;
    QString replacement;
};

const QList<Rule> &rules()
{
    static const QList<Rule> list = [] {
        const auto rule = [](const char *pattern, const char *replacement) {
            return Rule {QRegularExpression(QLatin1String(pattern)), QLatin1String(replacement)};
        };
        const char *months = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
                             "Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
        const char *days = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*";
        return QList<Rule> {
            // Claude Code's git snapshot (branch, status, recent commits): changes with every commit.
            // Claude Code's git snapshot (branch, status, recent commits) ends its system prompt and changes with
            // every commit.
            rule("gitStatus:[\\s\\S]*$", "gitStatus: <git status>"),
            // Claude Code's billing line carries a per-request suffix on its version.
            rule("x-anthropic-billing-header:(?:\\s*[\\w.-]+=[^;\\n]*;)+\\s*", ""),
            // The model the client asked for, which agents paste in (Claude Code, opencode): a setting, not the
            // agent's prompt.
            rule("(powered by the model(?: named)?) [^\\s,]+?(?=[.,]?(?:\\s|$))", "\\1 <model>"),
            rule("(model ID is) \\S+", "\\1 <model>"),
            rule("\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\b",
                 "<date>"),
            rule("\\b\\d{1,2}/\\d{1,2}/\\d{2,4}\\b", "<date>"),
            rule(qPrintable(QStringLiteral("\\b(?:%1,? )?%2\\.? \\d{1,2}(?:st|nd|rd|th)?,?(?: \\d{4})?\\b")
                                .arg(QLatin1String(days), QLatin1String(months))),
                 "<date>"),
            rule(qPrintable(QStringLiteral("\\b(?:%1,? )?\\d{1,2} %2\\.?,? \\d{4}\\b")
                                .arg(QLatin1String(days), QLatin1String(months))),
                 "<date>"),
            rule("\\b\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?: ?[AaPp][Mm])?\\b", "<time>"),
            rule("\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b", "<id>"),
            rule("\\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\\b", "<hash>"),
            rule("[A-Za-z]:\\\\[^\\s\"'`<>|]*", "<path>"),
            rule("(?<![\\w.:/~-])~?/(?:[\\w.@+%,=-]+/)*[\\w.@+%,=-]+/?", "<path>"),
            rule("\\b(?:pid|PID|port|Port) \\d+\\b", "<number>"),
        };
    }();
    return list;
}

// Calls visit(element) for each element of a JSON array's text, in order, until it returns false; strings and
// nesting are respected, nothing is decoded.
template<typename Visit>
void forEachElement(QByteArrayView array, Visit visit)
{
    qsizetype at = array.indexOf('[');
    if (at < 0)
        return;
    int depth = 0;
    bool inString = false;
    qsizetype begin = -1;
    for (qsizetype i = at + 1; i < array.size(); ++i) {
        const char c = array.at(i);
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
            if (begin < 0)
                begin = i;
        } else if (c == '{' || c == '[') {
            if (depth++ == 0 && begin < 0)
                begin = i;
        } else if (c == '}' || c == ']') {
            if (depth == 0) { // the array's end
                if (begin >= 0)
                    visit(array.sliced(begin, i - begin));
                return;
            }
            --depth;
        } else if (c == ',' && depth == 0) {
            if (begin >= 0 && !visit(array.sliced(begin, i - begin)))
                return;
            begin = -1;
        } else if (begin < 0 && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            begin = i;
        }
    }
}

bool isSystemMessage(QByteArrayView element)
{
    const QString role = JsonMembers::stringMember(element, "role");
    return role == QLatin1String("system") || role == QLatin1String("developer");
}

QString textOf(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QStringList parts;
    for (const QJsonValue &part : content.toArray())
        parts.append(part.toObject().value(QLatin1String("text")).toString());
    return parts.join(QLatin1Char('\n'));
}

} // namespace

QString ObservedPrompts::clientName(QByteArrayView userAgent)
{
    const QByteArrayView trimmed = userAgent.trimmed();
    qsizetype end = 0;
    while (end < trimmed.size() && trimmed.at(end) != '/' && trimmed.at(end) != ' ' && trimmed.at(end) != '(')
        ++end;
    const QString name = QString::fromUtf8(trimmed.first(end)).left(64);
    return name.isEmpty() ? QStringLiteral("unknown client") : name;
}

QString ObservedPrompts::normalise(const QString &system)
{
    QString text = system;
    for (const Rule &rule : rules())
        text.replace(rule.pattern, rule.replacement);
    return text.trimmed();
}

QString ObservedPrompts::fingerprint(const QString &normalised, const QStringList &sortedTools)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(normalised.toUtf8());
    for (const QString &tool : sortedTools) {
        hash.addData(QByteArrayView("\n\x1f"));
        hash.addData(tool.toUtf8());
    }
    return QString::fromLatin1(hash.result().toHex());
}

QString ObservedPrompts::promptKey(const QString &client, const QString &normalised)
{
    const QString firstLine = normalised.section(QLatin1Char('\n'), 0, 0).trimmed().left(80);
    return client + QStringLiteral(": ") + (firstLine.isEmpty() ? QStringLiteral("(tools only)") : firstLine);
}

ObservedPromptSighting ObservedPrompts::observe(const QString &client, const QString &system, QStringList tools)
{
    if (system.trimmed().isEmpty() && tools.isEmpty())
        return {};
    size_t seed = qHash(client);
    seed = qHash(system, seed);
    for (const QString &tool : tools)
        seed = qHash(tool, seed);
    ObservedPromptSighting sighting;
    if (const auto known = m_fingerprints.constFind(seed); known != m_fingerprints.constEnd()) {
        sighting.fingerprint = *known;
        return sighting;
    }
    std::sort(tools.begin(), tools.end());
    tools.erase(std::unique(tools.begin(), tools.end()), tools.end());
    const QString normalised = normalise(system);
    sighting.fingerprint = fingerprint(normalised, tools);
    if (m_fingerprints.size() >= MaxRemembered)
        m_fingerprints.clear();
    m_fingerprints.insert(seed, sighting.fingerprint);
    if (!m_sampled.contains(sighting.fingerprint)) {
        if (m_sampled.size() >= MaxRemembered)
            m_sampled.clear(); // the writer ignores a sample it already has
        m_sampled.insert(sighting.fingerprint);
        const QJsonObject sample {{QStringLiteral("prompt_key"), promptKey(client, normalised)},
                                  {QStringLiteral("client"), client},
                                  {QStringLiteral("system_text"), normalised},
                                  {QStringLiteral("tools"), QJsonArray::fromStringList(tools)}};
        sighting.sample = QJsonDocument(sample).toJson(QJsonDocument::Compact);
    }
    return sighting;
}

void ObservedPrompts::readOpenAiChat(const QByteArray &body, QString *system, QStringList *tools)
{
    const std::optional<JsonMembers> members = JsonMembers::scan(body);
    if (!members)
        return;
    QStringList parts;
    if (const JsonMembers::Member *messages = members->find("messages")) {
        // Leading system (or developer) messages only: the conversation after them is never decoded.
        forEachElement(members->value(*messages), [&](QByteArrayView element) {
            if (!isSystemMessage(element))
                return false;
            const QJsonObject message = QJsonDocument::fromJson(element.toByteArray()).object();
            parts.append(textOf(message.value(QLatin1String("content"))));
            return true;
        });
    }
    *system = parts.join(QStringLiteral("\n\n"));
    if (const JsonMembers::Member *toolList = members->find("tools")) {
        forEachElement(members->value(*toolList), [&](QByteArrayView element) {
            const std::optional<JsonMembers> tool = JsonMembers::scan(element);
            if (!tool)
                return true;
            const JsonMembers::Member *function = tool->find("function");
            const QString name = function ? JsonMembers::stringMember(tool->value(*function), "name")
                                          : JsonMembers::stringMember(element, "name");
            if (!name.isEmpty())
                tools->append(name);
            return true;
        });
    }
}

ObservedPromptSighting ObservedPrompts::observeOpenAiChat(const QString &client, const QByteArray &body)
{
    // The raw bytes of the leading system messages and of the tool list are hashed first: a prompt seen before
    // costs that hash, not the decoding of a long system prompt.
    const std::optional<JsonMembers> members = JsonMembers::scan(body);
    if (!members)
        return {};
    size_t key = qHash(client, 0x5eed);
    if (const JsonMembers::Member *messages = members->find("messages")) {
        forEachElement(members->value(*messages), [&](QByteArrayView element) {
            if (!isSystemMessage(element))
                return false;
            key = qHash(element, key);
            return true;
        });
    }
    if (const JsonMembers::Member *toolList = members->find("tools"))
        key = qHash(members->value(*toolList), key);
    if (const auto known = m_rawFingerprints.constFind(key); known != m_rawFingerprints.constEnd())
        return {*known, {}};
    QString system;
    QStringList tools;
    readOpenAiChat(body, &system, &tools);
    const ObservedPromptSighting sighting = observe(client, system, tools);
    if (m_rawFingerprints.size() >= MaxRemembered)
        m_rawFingerprints.clear();
    m_rawFingerprints.insert(key, sighting.fingerprint);
    return sighting;
}

} // namespace sluice
