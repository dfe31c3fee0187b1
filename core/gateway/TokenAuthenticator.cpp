#include "TokenAuthenticator.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace sluice {

namespace {
QByteArray digest(QByteArrayView secret)
{
    return QCryptographicHash::hash(secret, QCryptographicHash::Sha256);
}
} // namespace

void TokenAuthenticator::addToken(const QString &name, const QString &secret)
{
    m_names.insert(digest(secret.toUtf8()), name);
}

QByteArray TokenAuthenticator::presentedToken(const HttpRequest &request)
{
    const QByteArray authorization = request.headers.value(QByteArrayLiteral("authorization"));
    if (authorization.size() > 7 && authorization.first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return authorization.sliced(7).trimmed();
    for (const QByteArray &header : {QByteArrayLiteral("x-api-key"), QByteArrayLiteral("x-goog-api-key")}) {
        const QByteArray token = request.headers.value(header).trimmed();
        if (!token.isEmpty())
            return token;
    }
    // Gemini clients may put the key in the query string.
    for (const QByteArray &pair : request.query.split('&')) {
        if (pair.startsWith("key="))
            return QByteArray::fromPercentEncoding(pair.sliced(4));
    }
    return {};
}

QByteArray TokenAuthenticator::localCallerSecret()
{
    static const QByteArray secret = [] {
        quint32 words[8];
        QRandomGenerator::system()->fillRange(words);
        QByteArray made = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
        made.prepend("sluice-local-");
        return made;
    }();
    return secret;
}

bool TokenAuthenticator::isLocalCaller(const HttpRequest &request)
{
    static const QByteArray expected = digest(localCallerSecret());
    const QByteArray token = presentedToken(request);
    return !token.isEmpty() && digest(token) == expected;
}

QString TokenAuthenticator::authenticate(const HttpRequest &request) const
{
    const QByteArray token = presentedToken(request);
    if (token.isEmpty())
        return {};
    const QByteArray hash = digest(token);
    static const QByteArray localCaller = digest(localCallerSecret());
    if (hash == localCaller)
        return LocalCallerName;
    const QString name = m_names.value(hash);
    return name.isEmpty() ? m_stored.value(hash) : name;
}

} // namespace sluice
