#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QStringView>

namespace sluice {

// Writes JSON text (and SSE framing) straight into a QByteArray, for the events a stream encoder sends per token:
// no QJsonObject is built and serialised per event, and the array grows a few times per event instead of once
// per append. The output is byte for byte what QJsonDocument::toJson(Compact) writes for the same values, so a
// caller writes an object's keys in QJsonObject's order (sorted by UTF-16 code unit).
// The array holds exactly what was written once the writer is destroyed; don't touch it before.
class JsonWriter
{
public:
    explicit JsonWriter(QByteArray &out);
    ~JsonWriter();
    JsonWriter(const JsonWriter &) = delete;
    JsonWriter &operator=(const JsonWriter &) = delete;

    // Literal JSON text: punctuation, keys, constants.
    JsonWriter &raw(QByteArrayView text);
    // `text` as a quoted JSON string, escaped as Qt escapes it: ", \ and the C0 controls (\b \f \n \r \t, the
    // rest \u00xx), everything else as UTF-8; a surrogate without its pair as \udxxx.
    JsonWriter &string(QStringView text);
    JsonWriter &number(qint64 value);

    // One SSE event: beginSseEvent writes "event: TYPE\ndata: ", the caller the JSON (which from this writer holds
    // no raw line break), endSseEvent the blank line. The bytes encodeSseEvent gives.
    JsonWriter &beginSseEvent(QByteArrayView type);
    JsonWriter &endSseEvent();

private:
    char *room(qsizetype bytes);

    QByteArray &m_out;
    qsizetype m_size; // bytes written; m_out may be longer until the destructor trims it
};

} // namespace sluice
