#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace sluice {

// Replaces the secrets the gateway holds (provider keys, gateway tokens) wherever text leaves it or is stored:
// answers to clients, error messages, the request log. An upstream that echoes the key it was sent, or a client
// that pastes a token into a prompt, never gets it into an answer or the database.
// Values shorter than MinSecretLength are not taken: they would scrub ordinary text.
class SecretScrubber
{
public:
    static constexpr qsizetype MinSecretLength = 8;
    static constexpr char Marker[] = "[secret removed by Sluice]";

    void add(const QString &secret);
    bool isEmpty() const { return m_secrets.isEmpty(); }

    bool contains(QByteArrayView text) const;
    // The text with every secret replaced by Marker; the same (shared) text when it holds none.
    QByteArray scrub(const QByteArray &text) const;
    QString scrub(const QString &text) const;

private:
    QList<QByteArray> m_secrets; // longest first, so a secret that contains another is replaced whole
};

} // namespace sluice
