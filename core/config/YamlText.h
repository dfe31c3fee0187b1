#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include "common/Result.h"

namespace sluice {

// A text-preserving editor for the parts of the YAML config that Sluice writes (a list of named entries, at the
// top level such as providers: and models: or one level down such as guardrails.rules, and the keys of a
// top-level section such as gateway:). yaml-cpp finds
// where things are; the edits replace, insert or remove whole lines, so every line not edited stays byte for
// byte as it was: comments, order, blank lines, flow-style entries, fields Sluice does not model.
//
// Limits: entries and sections written in flow style ({...} or [...]) are not edited field by field (the
// error says so); a value set here is one line (a scalar, [a, b] or {k: v}).
class YamlText
{
public:
    using Field = QPair<QString, QByteArray>; // key, value already YAML (scalar(), flowList())

    static Result<YamlText> parse(const QByteArray &text, const QString &sourceName);

    QByteArray text() const;

    // The `name:` of each entry of the top-level list section, in order (empty when missing).
    QStringList itemNames(const QString &section) const;
    bool hasItem(const QString &section, const QString &name) const { return itemNames(section).contains(name); }
    // Adds an entry at the end of the list (the section is added at the end of the file when missing).
    Result<void> appendItem(const QString &section, const QList<Field> &fields);
    // Replaces the whole entry by these fields, in its own style (one {k: v, ...} line when written so); the
    // comment lines above it stay.
    Result<void> replaceItem(const QString &section, const QString &name, const QList<Field> &fields);
    // The entry is written on one line as - {name: ..., ...} (setItemField() cannot edit it field by field).
    bool isFlowItem(const QString &section, const QString &name) const;
    // Removes the entry and the comment lines right above it.
    Result<void> removeItem(const QString &section, const QString &name);
    // Sets key: value in the entry (its line is replaced, keeping a trailing comment, or added after the entry's
    // last line); removeItemField() takes the key and its value's lines out.
    Result<void> setItemField(const QString &section, const QString &name, const QString &key, const QByteArray &value);
    Result<void> removeItemField(const QString &section, const QString &name, const QString &key);
    // Adds flowItem ({...} or a scalar, already YAML) at the end of the entry's list field key: after the last
    // item of a block list (at its items' indentation), or before the closing ] of a one-line [...] list.
    Result<void> appendToItemList(const QString &section, const QString &name, const QString &key,
                                  const QByteArray &flowItem);
    // The text of a top-level scalar (key: value), and of a scalar field of a list entry; empty when missing.
    QString topLevelValue(const QString &key) const;
    QString itemField(const QString &section, const QString &name, const QString &key) const;
    // Sets the top-level key: value (its line is replaced, keeping a trailing comment, or added at the end).
    Result<void> setTopLevel(const QString &key, const QByteArray &value);
    // Sets section.key: value in a top-level mapping section (gateway:, logging:, ...), adding what is missing.
    Result<void> setValue(const QString &section, const QString &key, const QByteArray &value);

    // A YAML scalar for text: plain when that reads back as the same string, double-quoted otherwise.
    static QByteArray scalar(const QString &value);
    static QByteArray flowList(const QStringList &values);

private:
    struct Span
    {
        int first = -1; // line indices, inclusive
        int last = -1;
    };
    struct ItemPlace
    {
        Span span; // the entry's own lines
        int dashColumn = 0;
        int keyColumn = 0; // where the entry's keys start
        bool flow = false; // written as - {name: x, ...}
    };
    struct Located; // yaml-cpp's view of the current text, defined in the .cpp
    // A block-style entry of a list and where one of its keys is written (line -1: the entry lacks the key).
    struct ItemField
    {
        ItemPlace place;
        int line = -1;
        int column = -1;
    };

    QList<QByteArray> m_lines; // without line endings
    QByteArray m_newline = "\n";
    bool m_finalNewline = true;
    QString m_sourceName;

    Result<Located> locate() const;
    Result<ItemPlace> findItem(const Located &located, const QString &section, const QString &name) const;
    // The entry named name in section and its key; an entry written on one line ({...}) is an error that ends
    // with flowAdvice (what the user should do instead).
    Result<ItemField> findItemField(const QString &section, const QString &name, const QString &key,
                                    const QString &flowAdvice) const;
    int blockEnd(int first, int parentColumn, bool sequenceContinues = false) const;
    static int indentOf(const QByteArray &line);
    static bool isContent(const QByteArray &line);
    static qsizetype commentStart(const QByteArray &line, qsizetype from);
    void replaceLines(int first, int last, const QList<QByteArray> &lines);
    void appendSection(const QByteArray &header, const QList<QByteArray> &body);
};

} // namespace sluice
