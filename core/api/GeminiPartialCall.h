#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QString>

namespace sluice {

// One Gemini function call whose arguments arrive in pieces (functionCall.partialArgs: a JSON path and a value
// each, strings possibly split over several pieces), assembled into the arguments object.
class GeminiPartialCall
{
public:
    // Applies one chunk's partialArgs. False (and nothing applied) when a JSON path cannot be read.
    bool apply(const QJsonArray &partialArgs);
    QJsonObject arguments() const { return m_arguments; }

    // "$.a.b[0]['c d']" as steps: keys, and array indexes as non-negative numbers; empty when not understood.
    struct Step
    {
        QString key;
        int index = -1; // >= 0: an array element
    };
    static QList<Step> parsePath(const QString &path);

private:
    QJsonObject m_arguments;
    QSet<QString> m_continuing; // paths whose string value goes on in the next piece
};

} // namespace sluice
