#pragma once

#include <QHash>
#include <QString>

#include "http/HttpRequest.h"

namespace sluice {

// Maps a presented gateway token (Authorization: Bearer ..., x-api-key: ..., or Gemini's x-goog-api-key: ... and
// ?key=...) to the token's name.
// Only SHA-256 digests of the secrets are kept, so comparisons do not leak the secret through timing.
class TokenAuthenticator
{
public:
    void addToken(const QString &name, const QString &secret);
    // Replaces the tokens kept in the database (name -> SHA-256 of the secret); the config's stay.
    void setStoredTokens(const QHash<QByteArray, QString> &namesByDigest) { m_stored = namesByDigest; }
    bool isEmpty() const { return m_names.isEmpty() && m_stored.isEmpty(); }

    // The token name, or an empty string when the request carries no known token.
    QString authenticate(const HttpRequest &request) const;
    // The token presented by a request (empty if none): Bearer first, then x-api-key, x-goog-api-key, ?key=.
    static QByteArray presentedToken(const HttpRequest &request);

    // Sluice's own callers in this process (model comparison, docs/compare.md) present a secret made at random once
    // per process: every gateway of the process accepts it as the token LocalCallerName, with or without configured
    // tokens. It is never stored, logged or shown, and dies with the process.
    static constexpr QLatin1String LocalCallerName {"compare"};
    static QByteArray localCallerSecret();
    static bool isLocalCaller(const HttpRequest &request);

private:
    QHash<QByteArray, QString> m_names; // sha256(secret) -> name
    QHash<QByteArray, QString> m_stored; // the same, for `sluice token create` tokens
};

} // namespace sluice
