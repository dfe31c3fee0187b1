#include "ClientRecognizer.h"

#include <algorithm>
#include <utility>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

namespace sluice {

namespace {

struct Known
{
    const char *token; // a product token, lower case, as the client spells it
    const char *name;
    bool prefix; // also matches tokens that start with it ("codex_exec", "geminicli-tui")
};

// Agents and editors that name themselves in the User-Agent, before the SDK they are built on.
constexpr Known KnownAgents[] = {
    {"claude-cli", "Claude Code", false},
    {"claude-code", "Claude Code", false},
    {"codex", "Codex CLI", true},
    {"geminicli", "Gemini CLI", true},
    {"gemini-cli", "Gemini CLI", false},
    {"opencode", "opencode", false},
    {"cursor", "Cursor", false},
    {"continue", "Continue", false},
    {"cline", "Cline", false},
    {"roo-code", "Roo Code", false},
    {"kilo-code", "Kilo Code", false},
    {"zed", "Zed", false},
    {"aider", "Aider", false},
    {"goose", "Goose", false},
};

// Apps that say who they are in OpenRouter's attribution headers (X-Title, HTTP-Referer) while their
// User-Agent is the SDK's.
constexpr Known KnownApps[] = {
    {"cline", "Cline", false},       {"aider", "Aider", false},         {"continue", "Continue", false},
    {"roo code", "Roo Code", false}, {"kilo code", "Kilo Code", false}, {"zed", "Zed", false},
    {"cursor", "Cursor", false},
};

constexpr Known KnownReferers[] = {
    {"cline.bot", "Cline", false},      {"aider.chat", "Aider", false},      {"continue.dev", "Continue", false},
    {"roocode.com", "Roo Code", false}, {"kilocode.ai", "Kilo Code", false}, {"zed.dev", "Zed", false},
    {"cursor.com", "Cursor", false},    {"cursor.sh", "Cursor", false},
};

QString languageName(const QByteArray &language)
{
    const QByteArray lower = language.toLower();
    if (lower == "js" || lower == "node" || lower == "javascript" || lower == "typescript" || lower == "ts")
        return QStringLiteral("JavaScript");
    if (lower == "python" || lower == "py")
        return QStringLiteral("Python");
    if (lower == "go" || lower == "golang")
        return QStringLiteral("Go");
    if (lower == "java")
        return QStringLiteral("Java");
    if (lower == "kotlin")
        return QStringLiteral("Kotlin");
    if (lower == "ruby")
        return QStringLiteral("Ruby");
    if (lower == ".net" || lower == "dotnet" || lower == "csharp")
        return QStringLiteral(".NET");
    if (lower == "php")
        return QStringLiteral("PHP");
    if (lower == "rust")
        return QStringLiteral("Rust");
    return QString::fromLatin1(language.left(20));
}

// Printable text only, trimmed and capped: names go to the log and the window.
QString cleanName(const QString &text, qsizetype maxLength)
{
    QString clean;
    clean.reserve(std::min(text.size(), maxLength));
    for (const QChar c : text) {
        if (c.isPrint())
            clean.append(c);
    }
    return clean.trimmed().left(maxLength).trimmed();
}

// The product tokens of a User-Agent ("name/version"), without its comments in parentheses.
QList<QByteArray> productTokens(const QByteArray &userAgent)
{
    QList<QByteArray> tokens;
    int depth = 0;
    QByteArray current;
    for (const char c : userAgent) {
        if (c == '(') {
            ++depth;
        } else if (c == ')') {
            depth = std::max(0, depth - 1);
        } else if (depth == 0 && (c == ' ' || c == '\t')) {
            if (!current.isEmpty())
                tokens.append(current);
            current.clear();
        } else if (depth == 0) {
            current.append(c);
        }
    }
    if (!current.isEmpty())
        tokens.append(current);
    return tokens;
}

// "curl" of "curl/8.5.0".
QByteArray productName(const QByteArray &token)
{
    const qsizetype slash = token.indexOf('/');
    return slash < 0 ? token : token.left(slash);
}

template<size_t N>
const Known *findKnown(const Known (&table)[N], const QByteArray &name)
{
    for (const Known &known : table) {
        if (known.prefix ? name.startsWith(known.token) : name == known.token)
            return &known;
    }
    return nullptr;
}

constexpr std::pair<const char *, const char *> OfficialSdks[]
    = {{"openai/", "OpenAI SDK"}, {"anthropic/", "Anthropic SDK"}};

// "OpenAI/Python 1.99.0", "Anthropic/JS 1.12.0": the Stainless-built official SDKs.
QString officialSdk(const QList<QByteArray> &tokens, const HttpHeaders &headers)
{
    for (const QByteArray &token : tokens) {
        const QByteArray lower = token.toLower();
        for (const auto &[vendor, title] : OfficialSdks) {
            if (lower.startsWith(vendor)) {
                const QByteArray language = token.mid(qsizetype(qstrlen(vendor)));
                const QByteArray stainless = headers.value(QByteArrayLiteral("x-stainless-lang"));
                const QString name = QLatin1String(title);
                if (!language.isEmpty())
                    return name + QStringLiteral(" (") + languageName(language) + QLatin1Char(')');
                if (!stainless.isEmpty())
                    return name + QStringLiteral(" (") + languageName(stainless) + QLatin1Char(')');
                return name;
            }
        }
    }
    // Google's GenAI SDKs: "google-genai-sdk/1.30.0 gl-node/v20.20.2", in the User-Agent or x-goog-api-client.
    QList<QByteArray> google = tokens;
    google += productTokens(headers.value(QByteArrayLiteral("x-goog-api-client")));
    bool genai = false;
    QByteArray language;
    for (const QByteArray &token : google) {
        const QByteArray lower = token.toLower();
        if (lower.startsWith("google-genai-sdk/") || lower.startsWith("genai-js/") || lower.startsWith("genai-py/"))
            genai = true;
        else if (lower.startsWith("gl-") && language.isEmpty())
            language = productName(lower).mid(3);
    }
    if (genai) {
        return language.isEmpty() ? QStringLiteral("Google GenAI SDK")
                                  : QStringLiteral("Google GenAI SDK (") + languageName(language) + QLatin1Char(')');
    }
    for (const QByteArray &token : tokens) {
        if (token.toLower().startsWith("ai-sdk/"))
            return QStringLiteral("Vercel AI SDK");
    }
    return {};
}

} // namespace

QString ClientRecognizer::recognize(const HttpHeaders &headers)
{
    const QByteArray userAgent = headers.value(QByteArrayLiteral("user-agent")).trimmed();
    const QList<QByteArray> tokens = productTokens(userAgent);
    for (const QByteArray &token : tokens) {
        const QByteArray name = productName(token).toLower();
        if (const Known *agent = findKnown(KnownAgents, name))
            return QLatin1String(agent->name);
    }
    // Codex names itself in "originator", Claude Code in "x-app" (both also in their User-Agents).
    if (headers.value(QByteArrayLiteral("originator")).toLower().startsWith("codex"))
        return QStringLiteral("Codex CLI");
    if (headers.value(QByteArrayLiteral("x-app")).toLower() == "cli"
        && headers.contains(QByteArrayLiteral("anthropic-version")))
        return QStringLiteral("Claude Code");
    const QByteArray title = headers.value(QByteArrayLiteral("x-title")).trimmed().toLower();
    if (const Known *app = findKnown(KnownApps, title))
        return QLatin1String(app->name);
    const QByteArray referer = headers.value(QByteArrayLiteral("http-referer")).toLower() + ' '
        + headers.value(QByteArrayLiteral("referer")).toLower();
    for (const Known &known : KnownReferers) {
        if (referer.contains(known.token))
            return QLatin1String(known.name);
    }
    if (const QString sdk = officialSdk(tokens, headers); !sdk.isEmpty())
        return sdk;
    if (tokens.isEmpty())
        return {};
    // Any other client by its first product token: "curl/8.5.0" is "curl", "python-requests/2.31" "python-requests".
    return cleanName(QString::fromUtf8(productName(tokens.constFirst())), MaxNameLength);
}

RequestAttribution ClientRecognizer::fromHeaders(const HttpHeaders &headers)
{
    RequestAttribution attribution;
    attribution.client = recognize(headers);
    attribution.tags = parseTags(QString::fromUtf8(headers.value(QByteArrayLiteral("x-sluice-tags"))));
    attribution.project
        = cleanName(QString::fromUtf8(headers.value(QByteArrayLiteral("x-sluice-project"))), MaxNameLength);
    return attribution;
}

QStringList ClientRecognizer::parseTags(const QString &text)
{
    QStringList tags;
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const QString tag = cleanName(part, MaxTagLength);
        if (!tag.isEmpty() && !tags.contains(tag))
            tags.append(tag);
        if (tags.size() >= MaxTags)
            break;
    }
    return tags;
}

QStringList ClientRecognizer::metadataTags(const QByteArray &body)
{
    if (!body.contains("\"tags\""))
        return {};
    const QJsonValue tags = QJsonDocument::fromJson(body)
                                .object()
                                .value(QLatin1String("metadata"))
                                .toObject()
                                .value(QLatin1String("tags"));
    if (tags.isString())
        return parseTags(tags.toString());
    QStringList names;
    const QJsonArray array = tags.toArray();
    for (const QJsonValue &tag : array) {
        if (tag.isString())
            names.append(tag.toString().remove(QLatin1Char(',')));
    }
    return parseTags(names.join(QLatin1Char(',')));
}

QStringList ClientRecognizer::mergeTags(const QStringList &tags, const QStringList &more)
{
    QStringList merged = tags;
    for (const QString &tag : more) {
        if (merged.size() >= MaxTags)
            break;
        if (!merged.contains(tag))
            merged.append(tag);
    }
    return merged;
}

} // namespace sluice
