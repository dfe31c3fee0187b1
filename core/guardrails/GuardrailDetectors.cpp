#include "GuardrailDetectors.h"

#include <array>
#include <cmath>

#include <QHash>

namespace sluice {

namespace {
// What may come before a value: the text's start, a JSON escape (\n, \t, ...: bodies are scanned as JSON text) or
// a character that cannot be part of it. RE2 has no look-behind, so this is consumed; only the group is masked.
#define SLUICE_LEFT R"((?:^|\\[nrtbf]|[^A-Za-z0-9_\\]))"

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

QByteArray digitsOf(QByteArrayView value)
{
    QByteArray digits;
    for (const char c : value) {
        if (isDigit(c))
            digits.append(c);
    }
    return digits;
}

int classesOf(QByteArrayView value, bool *hasDigit = nullptr)
{
    bool lower = false, upper = false, digit = false, other = false;
    for (const char c : value) {
        if (c >= 'a' && c <= 'z')
            lower = true;
        else if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (isDigit(c))
            digit = true;
        else
            other = true;
    }
    if (hasDigit)
        *hasDigit = digit;
    return int(lower) + int(upper) + int(digit) + int(other);
}

bool containsNoCase(QByteArrayView value, const char *word)
{
    return QByteArray(value.data(), value.size()).toLower().contains(word);
}

bool awsSecret(QByteArrayView value)
{
    bool digit = false;
    return classesOf(value, &digit) >= 3 && digit;
}

// A password or token assignment: the value must look random, not like code (a name, a call, a variable).
bool randomLooking(QByteArrayView value)
{
    // The pattern only takes values with a digit: getPassword(user) or os.environ[...] never get this far.
    if (value.size() < 8 || value.size() > 128)
        return false; // too short to be a secret, or a blob
    for (const char *prefix : {"AKIA", "ASIA", "sk-", "sk_", "rk_", "ghp_", "gho_", "ghs_", "github_pat_", "glpat-",
                               "xox",  "AIza", "eyJ", "$",   "%",   "{",    "<",    "os.",  "process.",    "env."}) {
        if (value.startsWith(prefix))
            return false; // a specific detector names it better, or it is a reference to a secret
    }
    for (const char *word : {"xxxx", "****", "....", "changeme", "example", "placeholder", "your_", "your-", "redacted",
                             "password", "secret", "token"}) {
        if (containsNoCase(value, word))
            return false;
    }
    bool digit = false;
    const int classes = classesOf(value, &digit);
    const double entropy = GuardrailDetectors::shannonEntropy(value);
    if (entropy < 3.0)
        return false;
    if (classes >= 3 && digit)
        return true;
    return classes >= 2 && digit && value.size() >= 16 && entropy >= 3.5;
}

bool connectionPassword(QByteArrayView value)
{
    if (value.size() > 128)
        return false;
    if (value.startsWith("$") || value.startsWith("{") || value.startsWith("<") || value.startsWith("%"))
        return false;
    bool allStars = true;
    for (const char c : value)
        allStars = allStars && (c == '*' || c == 'x' || c == 'X');
    if (allStars)
        return false;
    const QByteArray lower = QByteArray(value.data(), value.size()).toLower();
    for (const char *word : {"password", "pass", "passwd", "pwd", "secret", "changeme", "pw"}) {
        if (lower == word)
            return false;
    }
    return true;
}

bool emailAddress(QByteArrayView value)
{
    const qsizetype at = value.indexOf('@');
    if (at <= 0 || at > 64 || value.at(0) == '.' || value.at(at - 1) == '.' || value.size() > 254)
        return false;
    const qsizetype dot = value.lastIndexOf('.');
    if (value.size() - dot - 1 > 24)
        return false; // no top-level domain is that long
    const QByteArray tld = QByteArray(value.data() + dot + 1, value.size() - dot - 1).toLower();
    // icon@2x.png, module@1.2.js: file names and versions, not addresses.
    static const QList<QByteArray> fileTypes
        = {"png", "jpg",  "jpeg", "gif",  "svg", "webp", "ico", "bmp",  "js",   "mjs",  "cjs",   "ts", "tsx", "jsx",
           "css", "scss", "json", "map",  "py",  "rb",   "go",  "rs",   "java", "kt",   "swift", "c",  "h",   "cpp",
           "hpp", "md",   "txt",  "html", "xml", "yaml", "yml", "toml", "lock", "wasm", "zip",   "gz", "tar", "pdf"};
    return !fileTypes.contains(tld);
}

bool phoneNumber(QByteArrayView value)
{
    const qsizetype digits = digitsOf(value).size();
    if (value.startsWith("+"))
        return digits >= 10 && digits <= 15;
    return digits == 10;
}

bool creditCard(QByteArrayView value)
{
    const QByteArray digits = digitsOf(value);
    if (digits.size() < 13 || digits.size() > 19 || !GuardrailDetectors::luhnValid(digits))
        return false;
    // Issuer prefixes: Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro.
    const int two = digits.left(2).toInt();
    const int four = digits.left(4).toInt();
    const bool issuer = digits.startsWith('4') || (two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)
        || two == 34 || two == 37 || two == 36 || two == 38 || two == 35 || two == 62 || four == 6011 || two == 65
        || digits.startsWith("50") || (two >= 56 && two <= 69);
    if (!issuer)
        return false;
    // Separated numbers come in the groups printed on cards (4-4-4-4, 4-6-5, ...), with one kind of separator.
    const bool spaces = value.contains(' ');
    const bool dashes = value.contains('-');
    if (spaces && dashes)
        return false;
    if (!spaces && !dashes)
        return true;
    QList<qsizetype> groups;
    qsizetype run = 0;
    for (const char c : value) {
        if (isDigit(c)) {
            ++run;
        } else {
            groups.append(run);
            run = 0;
        }
    }
    groups.append(run);
    const QList<qsizetype> amex {4, 6, 5};
    const QList<qsizetype> diners {4, 6, 4};
    if (groups == amex || groups == diners)
        return true;
    for (qsizetype i = 0; i < groups.size(); ++i) {
        if (groups.at(i) != 4 && !(i == groups.size() - 1 && groups.at(i) >= 1 && groups.at(i) <= 3))
            return false;
    }
    return groups.size() >= 4;
}

bool ssn(QByteArrayView value)
{
    const int area = QByteArray(value.data(), 3).toInt();
    const int group = QByteArray(value.data() + 4, 2).toInt();
    const int serial = QByteArray(value.data() + 7, 4).toInt();
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

bool iban(QByteArrayView value)
{
    return GuardrailDetectors::ibanValid(value);
}

QList<GuardrailDetector> makeDetectors()
{
    const auto left = std::string(SLUICE_LEFT);
    QList<GuardrailDetector> list;
    const auto add = [&list](const char *name, const char *category, const char *kind, const char *description,
                             std::string pattern, bool (*accepts)(QByteArrayView) = nullptr) {
        list.append(GuardrailDetector {QString::fromLatin1(name), QString::fromLatin1(category),
                                       QString::fromLatin1(kind), QString::fromLatin1(description), std::move(pattern),
                                       accepts});
    };
    add("private_key", "secrets", "SECRET_PRIVATE_KEY", "PEM private key blocks (RSA, EC, OpenSSH, PKCS#8)",
        R"((-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----(?s:.*?)-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----|-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----(?:\\[nr]|\s|[A-Za-z0-9+/=:,\-])*))");
    add("aws_access_key", "secrets", "SECRET_AWS", "AWS access key ids (AKIA..., ASIA...)",
        left + R"(((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b)");
    add("aws_secret_key", "secrets", "SECRET_AWS", "AWS secret access keys assigned to an aws_secret_access_key name",
        R"((?i:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$))",
        awsSecret);
    add("github_token", "secrets", "SECRET_GITHUB", "GitHub tokens (ghp_, gho_, ghs_, github_pat_...)",
        left + R"(((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,})\b)");
    add("gitlab_token", "secrets", "SECRET_GITLAB", "GitLab personal access tokens (glpat-...)",
        left + R"((glpat-[A-Za-z0-9_\-]{20,}))");
    add("slack_token", "secrets", "SECRET_SLACK", "Slack tokens (xoxb-, xoxp-...) and webhook URLs",
        left + R"((xox[abposr]-[A-Za-z0-9\-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,}))");
    add("stripe_key", "secrets", "SECRET_STRIPE", "Stripe secret and restricted keys (sk_live_, rk_test_...)",
        left + R"(((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,})\b)");
    add("anthropic_key", "secrets", "SECRET_ANTHROPIC", "Anthropic API keys (sk-ant-...)",
        left + R"((sk-ant-[A-Za-z0-9_\-]{32,}))");
    add("openai_key", "secrets", "SECRET_OPENAI", "OpenAI API keys (sk-proj-..., sk-...T3BlbkFJ...)",
        left
            + R"((sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|sk-[A-Za-z0-9]{48})\b)");
    add("google_api_key", "secrets", "SECRET_GOOGLE", "Google API keys (AIza...)",
        left + R"((AIza[0-9A-Za-z_\-]{35}))");
    add("jwt", "secrets", "SECRET_JWT", "JSON Web Tokens (eyJ....eyJ....sig)",
        left + R"((eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}))");
    add("connection_string", "secrets", "SECRET_CONNECTION",
        "Passwords in database and broker URLs (postgres://user:PASSWORD@...)",
        left
            + R"((?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)://[^\s:/@"'\\]+:([^\s@/"'\\]+)@)",
        connectionPassword);
    add("password_assignment", "secrets", "SECRET_PASSWORD",
        "High-entropy values assigned to password=, token=, api_key=, secret= and similar names",
        R"((?i:password|passwd|pwd|secret|token|api_?key|apikey|access_?key|client_?secret)[A-Za-z0-9_]*(?:\\?["'])?\s*(?::=|=>|:|=)\s*(?:\\?["'])?([^\s"'\\,;()\[\]{}<>`]*[0-9][^\s"'\\,;()\[\]{}<>`]*))",
        randomLooking);
    add("credit_card", "pii", "CREDIT_CARD", "Payment card numbers (Luhn check, issuer prefix, printed grouping)",
        left + R"(([0-9](?:[ \-]?[0-9]){12,18})\b)", creditCard);
    add("iban", "pii", "IBAN", "International bank account numbers (mod-97 checksum, country length)",
        left + R"(([A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b)", iban);
    add("us_ssn", "pii", "SSN", "US social security numbers (123-45-6789 form, valid ranges)",
        left + R"(([0-9]{3}-[0-9]{2}-[0-9]{4})\b)", ssn);
    add("phone", "pii", "PHONE", "Phone numbers: international (+44 20 7946 0958) and US ((555) 123-4567)",
        left
            + R"((\+[1-9][0-9]{0,2}[ .\-]?(?:\(?[0-9]{1,4}\)?[ .\-]?){1,4}[0-9]{2,4}|\(?[2-9][0-9]{2}\)?[ .\-][2-9][0-9]{2}[ .\-][0-9]{4})\b)",
        phoneNumber);
    add("email", "pii", "EMAIL", "E-mail addresses",
        left + R"(([A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,})\b)", emailAddress);
    return list;
}

// IBAN lengths of the countries that use one most; others are accepted from 15 to 34 characters.
const QHash<QByteArray, int> &ibanLengths()
{
    static const QHash<QByteArray, int> lengths {
        {"AT", 20}, {"BE", 16}, {"CH", 21}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"ES", 24}, {"FI", 18},
        {"FR", 27}, {"GB", 22}, {"GR", 27}, {"HU", 28}, {"IE", 22}, {"IT", 27}, {"LU", 20}, {"NL", 18},
        {"NO", 15}, {"PL", 28}, {"PT", 25}, {"RO", 24}, {"SE", 24}, {"SK", 24}, {"SI", 19}, {"TR", 26}};
    return lengths;
}
} // namespace

namespace GuardrailDetectors {

const QList<GuardrailDetector> &all()
{
    static const QList<GuardrailDetector> detectors = makeDetectors();
    return detectors;
}

QList<const GuardrailDetector *> forDetect(const QString &detect)
{
    QList<const GuardrailDetector *> result;
    for (const GuardrailDetector &detector : all()) {
        if (detector.category == detect || detector.name == detect)
            result.append(&detector);
    }
    return result;
}

QStringList detectNames()
{
    QStringList names {QStringLiteral("secrets"), QStringLiteral("pii"), QStringLiteral("regex"),
                       QStringLiteral("words")};
    for (const GuardrailDetector &detector : all())
        names.append(detector.name);
    return names;
}

bool luhnValid(QByteArrayView digits)
{
    int sum = 0;
    bool twice = false;
    for (qsizetype i = digits.size() - 1; i >= 0; --i) {
        int d = digits.at(i) - '0';
        if (twice) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        twice = !twice;
    }
    return !digits.isEmpty() && sum % 10 == 0;
}

bool ibanValid(QByteArrayView text)
{
    QByteArray iban;
    for (const char c : text) {
        if (c != ' ')
            iban.append(c);
    }
    if (iban.size() < 15 || iban.size() > 34)
        return false;
    const auto expected = ibanLengths().constFind(iban.left(2));
    if (expected != ibanLengths().constEnd() && *expected != iban.size())
        return false;
    // Move the country and check digits to the end, letters become 10..35, and the number mod 97 must be 1.
    const QByteArray moved = iban.mid(4) + iban.left(4);
    int remainder = 0;
    for (const char c : moved) {
        if (isDigit(c)) {
            remainder = (remainder * 10 + (c - '0')) % 97;
        } else if (c >= 'A' && c <= 'Z') {
            remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
        } else {
            return false;
        }
    }
    return remainder == 1;
}

double shannonEntropy(QByteArrayView value)
{
    if (value.isEmpty())
        return 0;
    std::array<int, 256> counts {};
    for (const char c : value)
        ++counts[static_cast<unsigned char>(c)];
    double entropy = 0;
    const double size = double(value.size());
    for (const int count : counts) {
        if (count == 0)
            continue;
        const double p = count / size;
        entropy -= p * std::log2(p);
    }
    return entropy;
}

} // namespace GuardrailDetectors

} // namespace sluice
