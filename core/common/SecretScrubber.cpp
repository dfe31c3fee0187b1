#include "SecretScrubber.h"

#include <algorithm>
#include <cstring>

namespace sluice {

namespace {
const char *find(QByteArrayView text, qsizetype from, const QByteArray &secret)
{
    if (from >= text.size())
        return nullptr;
    return static_cast<const char *>(
        memmem(text.data() + from, size_t(text.size() - from), secret.constData(), size_t(secret.size())));
}
} // namespace

void SecretScrubber::add(const QString &secret)
{
    const QByteArray value = secret.toUtf8();
    if (value.size() < MinSecretLength || m_secrets.contains(value))
        return;
    m_secrets.append(value);
    std::stable_sort(m_secrets.begin(), m_secrets.end(),
                     [](const QByteArray &a, const QByteArray &b) { return a.size() > b.size(); });
}

bool SecretScrubber::contains(QByteArrayView text) const
{
    for (const QByteArray &secret : m_secrets) {
        if (find(text, 0, secret))
            return true;
    }
    return false;
}

QByteArray SecretScrubber::scrub(const QByteArray &text) const
{
    if (!contains(text))
        return text;
    QByteArray out = text;
    for (const QByteArray &secret : m_secrets) {
        qsizetype from = 0;
        while (const char *at = find(out, from, secret)) {
            const qsizetype position = at - out.constData();
            out.replace(position, secret.size(), Marker);
            from = position + qsizetype(sizeof(Marker) - 1);
        }
    }
    return out;
}

QString SecretScrubber::scrub(const QString &text) const
{
    if (m_secrets.isEmpty())
        return text;
    const QByteArray utf8 = text.toUtf8();
    return contains(utf8) ? QString::fromUtf8(scrub(utf8)) : text;
}

} // namespace sluice
