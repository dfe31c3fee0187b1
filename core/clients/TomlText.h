#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include "common/Result.h"

namespace sluice {

// A minimal, text-preserving editor for the few TOML settings `sluice setup codex` changes. It is not a TOML
// parser: it splits the file into lines, follows strings (basic, literal, multi-line), comments and brackets just
// well enough to know which lines are table headers and which start a key = value, and edits whole lines. Every
// line it does not edit stays byte for byte as it was (comments, order, blank lines, line endings).
//
// Limits: a key is only found in the form `key = value` on its own line at the top level or in a `[table]`
// section; dotted keys and inline tables that spell the same setting another way (`model_providers.sluice.x = ..`,
// `sluice = { ... }` under `[model_providers]`) are reported by conflicts(), not edited. The file's syntax is
// checked only as far as that needs (unclosed strings or brackets, lines that are none of the above).
class TomlText
{
public:
    static Result<TomlText> parse(const QByteArray &text, const QString &path);

    QByteArray text() const;
    // Sets the top-level `key = value` (value already TOML, e.g. quoted()): replaces its line, or adds one after
    // the last top-level key (at the top when there is none).
    void setTopLevel(const QString &key, const QByteArray &value);
    // Sets `key = value` in the [table] section, which is added at the end when missing. Other keys, comments and
    // blank lines of the section stay.
    void setInTable(const QString &table, const QString &key, const QByteArray &value);
    // Whether some line sets something in table in a form setInTable() does not edit: a dotted key
    // (`model_providers.sluice.x = ..`), an inline table (`sluice = {..}` under [model_providers]) or a sub-table.
    bool spellsOtherwise(const QString &table) const;
    bool hasTable(const QString &table) const;

    static QByteArray quoted(const QString &value);

private:
    struct Line
    {
        QByteArray text; // with its line ending
        enum class Kind { Other, Header, Key, Continuation } kind = Kind::Other;
        QString name; // the table (Header) or the key (Key), normalized: no spaces, no quotes
        int lastLine = 0; // Key: the index of the value's last line
    };
    QList<Line> m_lines;
    QByteArray m_newline = "\n";

    static QString normalizedName(QByteArray name);
    qsizetype tableStart(const QString &table) const; // the header's index, or -1
    qsizetype sectionEnd(qsizetype start) const; // the index after the section's last line
    void insertLines(qsizetype at, const QList<QByteArray> &texts);
    // The key at index, with all the lines of its value, becomes the one line newText.
    void replaceKey(qsizetype index, const QByteArray &newText);
    void ensureFinalNewline();
};

} // namespace sluice
