#include "clients/TomlText.h"

namespace sluice {

namespace {

struct ScanState
{
    int depth = 0; // open [ and { in a value
    QByteArray multiline; // the closing """ or ''' of an open multi-line string, else empty
};

// Follows a value's text from position from to the end of the line; false on an unclosed single-line string.
bool scanValue(const QByteArray &line, qsizetype from, ScanState &state)
{
    qsizetype i = from;
    const qsizetype n = line.size();
    while (i < n) {
        if (!state.multiline.isEmpty()) {
            const qsizetype close = line.indexOf(state.multiline, i);
            if (close < 0)
                return true;
            // A backslash before the closing quotes of a basic string escapes the first of them.
            if (state.multiline == "\"\"\"" && close > 0 && line.at(close - 1) == '\\') {
                i = close + 1;
                continue;
            }
            i = close + 3;
            while (i < n && line.at(i) == state.multiline.at(0)) // up to two more quotes belong to the string
                ++i;
            state.multiline.clear();
            continue;
        }
        const char c = line.at(i);
        if (c == '#' || c == '\n' || c == '\r')
            return true;
        if (line.mid(i, 3) == "\"\"\"" || line.mid(i, 3) == "'''") {
            state.multiline = line.mid(i, 3);
            i += 3;
            continue;
        }
        if (c == '"' || c == '\'') {
            qsizetype j = i + 1;
            while (j < n && line.at(j) != c && line.at(j) != '\n') {
                if (c == '"' && line.at(j) == '\\')
                    ++j;
                ++j;
            }
            if (j >= n || line.at(j) != c)
                return false;
            i = j + 1;
            continue;
        }
        if (c == '[' || c == '{')
            ++state.depth;
        else if (c == ']' || c == '}')
            --state.depth;
        ++i;
    }
    return true;
}

// The position of the first '=' outside quotes, or -1.
qsizetype equalsSign(const QByteArray &line)
{
    char quote = 0;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const char c = line.at(i);
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '=') {
            return i;
        } else if (c == '#') {
            return -1;
        }
    }
    return -1;
}

} // namespace

QString TomlText::normalizedName(QByteArray name)
{
    QByteArray result;
    for (const char c : name.trimmed()) {
        if (c != ' ' && c != '\t' && c != '"' && c != '\'')
            result.append(c);
    }
    return QString::fromUtf8(result);
}

Result<TomlText> TomlText::parse(const QByteArray &text, const QString &path)
{
    TomlText toml;
    if (text.contains("\r\n"))
        toml.m_newline = "\r\n";
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf('\n', start);
        end = end < 0 ? text.size() : end + 1;
        Line line;
        line.text = text.mid(start, end - start);
        toml.m_lines.append(line);
        start = end;
    }
    ScanState state;
    qsizetype keyLine = -1;
    for (qsizetype i = 0; i < toml.m_lines.size(); ++i) {
        Line &line = toml.m_lines[i];
        auto bad = [&](const QString &what) {
            return makeError(QStringLiteral("%1 line %2: %3; the file was left as it is. Fix it and run the set-up "
                                            "again")
                                 .arg(path)
                                 .arg(i + 1)
                                 .arg(what));
        };
        if (state.depth > 0 || !state.multiline.isEmpty()) {
            line.kind = Line::Kind::Continuation;
            if (!scanValue(line.text, 0, state))
                return bad(QStringLiteral("a string is not closed"));
        } else {
            const QByteArray trimmed = line.text.trimmed();
            if (trimmed.isEmpty() || trimmed.startsWith('#')) {
                line.kind = Line::Kind::Other;
            } else if (trimmed.startsWith('[')) {
                const bool array = trimmed.startsWith("[[");
                const qsizetype close = trimmed.indexOf(array ? "]]" : "]");
                if (close < 0)
                    return bad(QStringLiteral("a table header is not closed"));
                const QByteArray rest = trimmed.mid(close + (array ? 2 : 1)).trimmed();
                if (!rest.isEmpty() && !rest.startsWith('#'))
                    return bad(QStringLiteral("text after a table header"));
                line.kind = Line::Kind::Header;
                // An array of tables keeps its brackets in the name, so it never matches a plain table.
                line.name = array ? QStringLiteral("[[") + normalizedName(trimmed.mid(2, close - 2))
                                  : normalizedName(trimmed.mid(1, close - 1));
            } else {
                const qsizetype equals = equalsSign(line.text);
                if (equals < 0)
                    return bad(QStringLiteral("expected key = value"));
                line.kind = Line::Kind::Key;
                line.name = normalizedName(line.text.left(equals));
                if (line.name.isEmpty())
                    return bad(QStringLiteral("a key is missing before '='"));
                if (!scanValue(line.text, equals + 1, state))
                    return bad(QStringLiteral("a string is not closed"));
                keyLine = i;
            }
        }
        if (keyLine >= 0)
            toml.m_lines[keyLine].lastLine = int(i);
        if (state.depth == 0 && state.multiline.isEmpty())
            keyLine = -1;
        if (state.depth < 0)
            return bad(QStringLiteral("a ']' or '}' closes nothing"));
    }
    if (state.depth != 0 || !state.multiline.isEmpty())
        return makeError(QStringLiteral("%1: a string, array or inline table is not closed at the end of the file; the "
                                        "file was left as it is. Fix it and run the set-up again")
                             .arg(path));
    return toml;
}

QByteArray TomlText::text() const
{
    QByteArray result;
    for (const Line &line : m_lines)
        result.append(line.text);
    return result;
}

QByteArray TomlText::quoted(const QString &value)
{
    QByteArray result = "\"";
    for (const char c : value.toUtf8()) {
        if (c == '"' || c == '\\')
            result.append('\\');
        result.append(c);
    }
    return result.append('"');
}

void TomlText::ensureFinalNewline()
{
    if (!m_lines.isEmpty() && !m_lines.last().text.endsWith('\n'))
        m_lines.last().text.append(m_newline);
}

void TomlText::insertLines(qsizetype at, const QList<QByteArray> &texts)
{
    if (at > 0 && at == m_lines.size())
        ensureFinalNewline();
    for (qsizetype i = 0; i < texts.size(); ++i) {
        Line line;
        line.text = texts.at(i) + m_newline;
        const QByteArray trimmed = texts.at(i).trimmed();
        if (trimmed.startsWith('[')) {
            line.kind = Line::Kind::Header;
            line.name = normalizedName(trimmed.mid(1, trimmed.size() - 2));
        } else if (!trimmed.isEmpty()) {
            line.kind = Line::Kind::Key;
            line.name = normalizedName(trimmed.left(trimmed.indexOf('=')));
        }
        m_lines.insert(at + i, line);
    }
    // Key lines after the insertion point moved.
    for (qsizetype i = at + texts.size(); i < m_lines.size(); ++i) {
        if (m_lines.at(i).kind == Line::Kind::Key)
            m_lines[i].lastLine += int(texts.size());
    }
    for (qsizetype i = at; i < at + texts.size(); ++i)
        m_lines[i].lastLine = int(i);
}

qsizetype TomlText::tableStart(const QString &table) const
{
    for (qsizetype i = 0; i < m_lines.size(); ++i) {
        if (m_lines.at(i).kind == Line::Kind::Header && m_lines.at(i).name == table)
            return i;
    }
    return -1;
}

qsizetype TomlText::sectionEnd(qsizetype start) const
{
    for (qsizetype i = start + 1; i < m_lines.size(); ++i) {
        if (m_lines.at(i).kind == Line::Kind::Header)
            return i;
    }
    return m_lines.size();
}

bool TomlText::hasTable(const QString &table) const
{
    return tableStart(table) >= 0;
}

void TomlText::replaceKey(qsizetype index, const QByteArray &newText)
{
    const qsizetype last = m_lines.at(index).lastLine;
    const QByteArray ending = m_lines.at(last).text.endsWith('\n') ? m_newline : QByteArray();
    m_lines.remove(index + 1, last - index);
    for (qsizetype j = index + 1; j < m_lines.size(); ++j) {
        if (m_lines.at(j).kind == Line::Kind::Key)
            m_lines[j].lastLine -= int(last - index);
    }
    m_lines[index].text = newText + ending;
    m_lines[index].lastLine = int(index);
}

void TomlText::setTopLevel(const QString &key, const QByteArray &value)
{
    const QByteArray newText = key.toUtf8() + " = " + value;
    const qsizetype end = sectionEnd(-1);
    qsizetype lastKeyEnd = -1;
    for (qsizetype i = 0; i < end; ++i) {
        const Line &line = m_lines.at(i);
        if (line.kind != Line::Kind::Key)
            continue;
        if (line.name == key) {
            replaceKey(i, newText);
            return;
        }
        lastKeyEnd = line.lastLine;
    }
    insertLines(lastKeyEnd + 1, {newText});
}

void TomlText::setInTable(const QString &table, const QString &key, const QByteArray &value)
{
    const QByteArray newText = key.toUtf8() + " = " + value;
    qsizetype start = tableStart(table);
    if (start < 0) {
        QList<QByteArray> texts;
        if (!m_lines.isEmpty() && !m_lines.last().text.trimmed().isEmpty())
            texts.append(QByteArray());
        texts.append("[" + table.toUtf8() + "]");
        insertLines(m_lines.size(), texts);
        start = m_lines.size() - 1;
    }
    const qsizetype end = sectionEnd(start);
    qsizetype lastContent = start;
    for (qsizetype i = start + 1; i < end; ++i) {
        const Line &line = m_lines.at(i);
        if (line.kind == Line::Kind::Key && line.name == key) {
            replaceKey(i, newText);
            return;
        }
        if (line.kind == Line::Kind::Key)
            lastContent = line.lastLine;
    }
    insertLines(lastContent + 1, {newText});
}

bool TomlText::spellsOtherwise(const QString &table) const
{
    // The table's full name from each key line outside the table's own section, and sub-tables.
    QString section;
    for (const Line &line : m_lines) {
        if (line.kind == Line::Kind::Header) {
            section = line.name;
            if (line.name.startsWith(table + QLatin1Char('.')) || line.name == QStringLiteral("[[") + table)
                return true;
            continue;
        }
        if (line.kind != Line::Kind::Key)
            continue;
        const QString full = section.isEmpty() ? line.name : section + QLatin1Char('.') + line.name;
        if (section == table)
            continue;
        if (full == table || full.startsWith(table + QLatin1Char('.')))
            return true;
    }
    return false;
}

} // namespace sluice
