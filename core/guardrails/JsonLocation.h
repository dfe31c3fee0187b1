#pragma once

#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

namespace sluice {

namespace JsonLocation {
// Where byte `offset` of a JSON text lies, as a path a user can find it by: "messages[2].content". One pass up to
// the offset; "the body" when the text is not JSON or the offset lies outside every value.
QString pathAt(QByteArrayView json, qsizetype offset);
// For each span [start, end) (in order of start), whether it lies inside one JSON string: only there can a value be
// replaced and the JSON stay valid (a 16-digit number is not a card number to mask). One pass up to the last span.
QList<bool> insideStrings(QByteArrayView json, const QList<QPair<qsizetype, qsizetype>> &spans);
} // namespace JsonLocation

} // namespace sluice
