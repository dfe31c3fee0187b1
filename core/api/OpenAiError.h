#pragma once

#include <QByteArray>
#include <QString>

namespace sluice {

// Errors in OpenAI's envelope: {"error":{"message","type","param","code"}}. Every client-facing error of the
// OpenAI-format endpoints uses it, so SDKs surface the message.
struct OpenAiError
{
    int status = 500;
    QString message;
    QByteArray type; // e.g. "invalid_request_error"; derived from status when empty
    QByteArray code; // machine-readable, e.g. "model_not_found"
    QByteArray param; // the offending request field, when there is one

    QByteArray toJson() const;
    // The OpenAI error type conventionally used for an HTTP status.
    static QByteArray typeForStatus(int status);
};

} // namespace sluice
