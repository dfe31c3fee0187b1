#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace sluice {

// An ordered list of HTTP header fields with case-insensitive look-up (names kept as received).
class HttpHeaders
{
public:
    using Field = QPair<QByteArray, QByteArray>;

    HttpHeaders() = default;
    HttpHeaders(std::initializer_list<Field> fields)
        : m_fields(fields)
    { }

    void append(const QByteArray &name, const QByteArray &value) { m_fields.append({name, value}); }
    // Replaces every field of that name with one field.
    void set(const QByteArray &name, const QByteArray &value);
    void remove(const QByteArray &name);
    bool contains(const QByteArray &name) const;
    // The first value of that name, or an empty array.
    QByteArray value(const QByteArray &name) const;
    const QList<Field> &fields() const { return m_fields; }
    bool isEmpty() const { return m_fields.isEmpty(); }

private:
    QList<Field> m_fields;
};

} // namespace sluice
